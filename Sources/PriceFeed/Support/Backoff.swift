/// Exponential backoff with jitter for reconnects: attempt `n` (0-based) waits
/// `min(maximum, initial × 2ⁿ)` scaled by a random factor in `[1 − jitter, 1]` ("equal-ish
/// jitter"), so a fleet of daemons does not reconnect in lock-step after an exchange outage.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    /// Fraction of the delay that is randomised, `0...1`.
    public var jitter: Double

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), jitter: Double = 0.5) {
        precondition(initial > .zero && maximum >= initial, "backoff bounds must be positive and ordered")
        self.initial = initial
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before reconnect attempt `attempt`; `random` is a value in `0..<1`.
    public func delay(attempt: Int, random: Double) -> Duration {
        var d = initial
        for _ in 0..<min(attempt, 40) where d < maximum { d = d * 2 }
        if d > maximum { d = maximum }
        return d * (1 - jitter * min(max(random, 0), 1))
    }
}
