import Foundation

/// How the Kalshi HTTP client talks to the API.
public struct KalshiClientOptions: Sendable {
    /// The API root, e.g. `https://api.elections.kalshi.com/trade-api/v2`.
    public var baseURL: URL
    /// The longest one attempt may take, connection to last byte.
    public var requestTimeout: Duration
    public var backoff: RetryBackoff
    /// Client-side request rate (Kalshi's basic tier: 20 reads a second).
    public var readsPerSecond: Double

    public static let productionBaseURL = URL(string: "https://api.elections.kalshi.com/trade-api/v2")!

    public init(baseURL: URL = Self.productionBaseURL, requestTimeout: Duration = .seconds(2),
                backoff: RetryBackoff = RetryBackoff(), readsPerSecond: Double = 20) {
        self.baseURL = baseURL
        self.requestTimeout = requestTimeout
        self.backoff = backoff
        self.readsPerSecond = readsPerSecond
    }
}
