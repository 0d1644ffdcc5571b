import StorageKit

/// Turns a stream of observed prices into exactly one `PriceTick` per UTC second. Pure logic: the
/// caller says which seconds are over (`advance(toSecond:)`), so tests drive it with any clock.
///
/// - A trade belongs to the UTC second of its `time`; a trade that arrives after its second was
///   already closed ("late") belongs to the oldest open second, because that is when it became
///   known. A closed second's tick is the latest-by-time accepted trade of that second, with that
///   trade's source.
/// - A second with no new trade carries the last accepted price forward (`.carriedForward`) for at
///   most `staleAfterSeconds` seconds after the last second that had a trade; after that the sampler
///   is stale: it emits nothing until a new trade is accepted.
/// - Jump rule: a price that differs from the last accepted price by more than `maxJumpFraction`
///   (|p − ref| / ref) is held back, never emitted on its own. The held price is accepted when the
///   next `confirmationsRequired` trades are each within `maxJumpFraction` of it (the market really
///   moved). A trade back within `maxJumpFraction` of the reference instead rejects the held trades
///   (counted in `rejectedJumps`) and is accepted normally; a trade far from both rejects the held
///   trades and becomes the new held candidate.
public struct PerSecondSampler: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Seconds a price may be carried forward past the last second that had a trade.
        public var staleAfterSeconds: Int64
        /// Largest accepted move from the last accepted price without confirmation (0.05 = 5 %).
        public var maxJumpFraction: Double
        /// Trades that must agree with a held jump before it is accepted.
        public var confirmationsRequired: Int

        public init(staleAfterSeconds: Int64 = 30, maxJumpFraction: Double = 0.05, confirmationsRequired: Int = 1) {
            self.staleAfterSeconds = max(0, staleAfterSeconds)
            self.maxJumpFraction = maxJumpFraction
            self.confirmationsRequired = max(1, confirmationsRequired)
        }
    }

    /// What the sampler accepted, rejected and emitted.
    public struct Counters: Sendable, Hashable {
        public var accepted = 0
        /// Trades with a non-positive price.
        public var rejectedInvalid = 0
        /// Held jump trades that were never confirmed.
        public var rejectedJumps = 0
        /// Jumps accepted after confirmation.
        public var confirmedJumps = 0
        /// Trades that arrived after their second was closed.
        public var late = 0
        public var ticks = 0
        public var carriedForward = 0
        /// Seconds closed with no tick because the price was stale.
        public var staleSeconds = 0
        public init() {}
    }

    public let configuration: Configuration
    public private(set) var counters = Counters()
    /// True once a second closed beyond the carry-forward limit, until a new trade is accepted.
    public private(set) var isStale = false
    /// The last accepted trade (the jump reference).
    public private(set) var lastAccepted: FeedTrade?
    /// The first second not yet closed; `nil` before the first `advance`.
    public private(set) var nextSecond: Int64?

    /// The price the last closed seconds stand on, and the last second that had a trade.
    private var current: FeedTrade?
    private var lastFreshSecond: Int64?
    /// Accepted trades not yet consumed by a closed second, keyed by the second they belong to.
    private var queued: [(second: Int64, trade: FeedTrade)] = []
    /// Trades held back by the jump rule.
    private var held: [FeedTrade] = []

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Number of trades held back by the jump rule right now.
    public var heldCount: Int { held.count }

    /// Offers one observed price.
    public mutating func ingest(_ trade: FeedTrade) {
        guard trade.price.cents > 0 else {
            counters.rejectedInvalid += 1
            return
        }
        guard let reference = lastAccepted?.price else {
            accept(trade)
            return
        }
        if Self.deviation(trade.price, from: reference) <= configuration.maxJumpFraction {
            counters.rejectedJumps += held.count
            held.removeAll()
            accept(trade)
            return
        }
        if let candidate = held.first, Self.deviation(trade.price, from: candidate.price) <= configuration.maxJumpFraction {
            held.append(trade)
            if held.count > configuration.confirmationsRequired {
                counters.confirmedJumps += 1
                let confirmed = held
                held.removeAll()
                for t in confirmed { accept(t) }
            }
            return
        }
        counters.rejectedJumps += held.count
        held = [trade]
    }

    /// Closes every second before `second` (UTC epoch seconds) and returns their ticks, oldest
    /// first. Seconds without a price (none yet, or stale) yield nothing.
    public mutating func advance(toSecond second: Int64) -> [PriceTick] {
        guard var s = nextSecond ?? queued.map(\.second).min() else {
            nextSecond = second
            return []
        }
        var ticks: [PriceTick] = []
        while s < second {
            // Fast-forward over a long stale stretch (e.g. after the host slept) with nothing queued.
            if isStale, !queued.contains(where: { $0.second < second }) {
                counters.staleSeconds += Int(second - s)
                s = second
                break
            }
            if let tick = close(s) { ticks.append(tick) }
            s += 1
        }
        nextSecond = max(s, nextSecond ?? s)
        return ticks
    }

    private mutating func close(_ s: Int64) -> PriceTick? {
        var fresh: FeedTrade?
        queued.removeAll { entry in
            guard entry.second <= s else { return false }
            if fresh == nil || entry.trade.time >= fresh!.time { fresh = entry.trade }
            return true
        }
        // A late trade older than the price already standing adds nothing new.
        if let f = fresh, let c = current, f.time < c.time { fresh = nil }
        if let fresh {
            current = fresh
            lastFreshSecond = s
            isStale = false
            counters.ticks += 1
            return PriceTick(second: s, price: fresh.price, source: fresh.source)
        }
        guard let current, let lastFreshSecond else { return nil }
        if s - lastFreshSecond <= configuration.staleAfterSeconds {
            counters.ticks += 1
            counters.carriedForward += 1
            return PriceTick(second: s, price: current.price, source: .carriedForward)
        }
        isStale = true
        counters.staleSeconds += 1
        return nil
    }

    private mutating func accept(_ trade: FeedTrade) {
        counters.accepted += 1
        lastAccepted = trade
        var second = trade.time.second
        if let next = nextSecond, second < next {
            counters.late += 1
            second = next
        }
        queued.append((second, trade))
    }

    static func deviation(_ price: USDCents, from reference: USDCents) -> Double {
        guard reference.cents > 0 else { return .infinity }
        return abs(Double(price.cents - reference.cents)) / Double(reference.cents)
    }
}
