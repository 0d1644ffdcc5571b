/// Exponential backoff with full jitter for retried requests: attempt `n` (0-based) waits a random
/// duration in `[0, min(maxDelay, initialDelay × 2ⁿ)]`, so clients that failed together do not
/// retry together.
public struct RetryBackoff: Sendable {
    /// Attempts in total, including the first (1 = no retry).
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured; a longer one fails the request instead (the next poll
    /// will wait through the pause set on the token bucket).
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 3, initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(2),
                maxRetryAfter: Duration = .seconds(10)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The ceiling of the wait before retry `attempt` (0 = the first retry).
    public func ceiling(attempt: Int) -> Duration {
        var d = initialDelay
        for _ in 0..<min(attempt, 30) {
            d = d * 2
            if d >= maxDelay { return maxDelay }
        }
        return min(d, maxDelay)
    }

    /// The wait before retry `attempt`, `fraction` in `[0, 1]` being the jitter draw.
    public func delay(attempt: Int, fraction: Double) -> Duration {
        ceiling(attempt: attempt) * min(1, max(0, fraction))
    }
}
