/// The clock the HTTP client's rate limiter and backoff read and wait on. Injected so tests can
/// drive them without sleeping.
public protocol MonotonicClock: Sendable {
    /// Time since an arbitrary fixed origin.
    func now() -> Duration
    /// Returns at or after `deadline` (same origin as `now()`); throws `CancellationError` when cancelled.
    func sleep(until deadline: Duration) async throws
}

/// `ContinuousClock` as a `MonotonicClock`.
public struct SystemMonotonicClock: MonotonicClock {
    private let origin = ContinuousClock.now
    public init() {}
    public func now() -> Duration { ContinuousClock.now - origin }
    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin + deadline, tolerance: nil)
    }
}
