/// Exponential backoff with full jitter, shared by every retry loop (reconnects, shadow catch-up).
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    /// Multiplier applied after each failed attempt.
    public var factor: Double

    public init(initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5), factor: Double = 2) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.factor = factor
    }

    /// The delay before retry number `attempt` (0-based): a random point in the upper half of the
    /// exponential step, so many daemons recovering at once do not stampede.
    public func delay(attempt: Int) -> Duration {
        let base = initialDelay * pow2(factor, attempt)
        let capped = min(base, maximumDelay)
        let seconds = Double(capped.components.seconds) + Double(capped.components.attoseconds) / 1e18
        return .seconds(seconds * Double.random(in: 0.5...1.0))
    }

    private func pow2(_ f: Double, _ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<min(n, 60) { r *= f }
        return r
    }
}
