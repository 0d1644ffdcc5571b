import Foundation

/// Counters of a `KalshiHTTPClient`, for `STATUS=` and tests.
public struct KalshiClientStatistics: Sendable, Equatable {
    /// Attempts sent (retries included).
    public var attempts = 0
    /// Retries after a transport failure, timeout, 5xx or 429.
    public var retries = 0
    /// 429 answers received.
    public var rateLimited = 0
    /// Requests that failed in the end, by error code.
    public var failures: [String: Int] = [:]

    public init() {}

    /// All failed requests.
    public var failureCount: Int { failures.values.reduce(0, +) }
}
