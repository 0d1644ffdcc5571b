/// A client-side token bucket: at most `capacity` requests in a burst, refilled at `ratePerSecond`
/// (Kalshi's basic tier allows 20 reads a second). `acquire()` waits for a token; a 429 can also
/// `pause(until:)` the whole bucket so that no request goes out before the server's `Retry-After`.
public actor TokenBucket {
    public let ratePerSecond: Double
    public let capacity: Double
    private let clock: any MonotonicClock
    private var tokens: Double
    private var updatedAt: Duration
    private var pausedUntil: Duration = .zero

    public init(ratePerSecond: Double, capacity: Double? = nil, clock: any MonotonicClock = SystemMonotonicClock()) {
        precondition(ratePerSecond > 0, "the rate must be positive")
        self.ratePerSecond = ratePerSecond
        self.capacity = max(1, capacity ?? ratePerSecond)
        self.clock = clock
        self.tokens = self.capacity
        self.updatedAt = clock.now()
    }

    /// Waits until a token is available (and any pause is over), then takes it.
    public func acquire() async throws {
        while true {
            let now = clock.now()
            refill(now)
            if now < pausedUntil {
                try await clock.sleep(until: pausedUntil)
                continue
            }
            if tokens >= 1 {
                tokens -= 1
                return
            }
            let wait = (1 - tokens) / ratePerSecond
            // Reserve the token now so that concurrent callers queue behind it instead of all
            // waking at once.
            tokens -= 1
            try await clock.sleep(until: now + .nanoseconds(Int64((wait * 1e9).rounded(.up))))
            return
        }
    }

    /// No request leaves before `deadline` (the server said `Retry-After`).
    public func pause(until deadline: Duration) {
        pausedUntil = max(pausedUntil, deadline)
    }

    /// Tokens available now (may be negative while callers wait).
    public var available: Double {
        refill(clock.now())
        return tokens
    }

    private func refill(_ now: Duration) {
        let elapsed = now - updatedAt
        guard elapsed > .zero else { return }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + seconds * ratePerSecond)
        updatedAt = now
    }
}
