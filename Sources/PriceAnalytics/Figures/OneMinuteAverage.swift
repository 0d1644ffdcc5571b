/// A streaming one-minute average (the legacy `one_minute_avg`, defined in `OneMinuteMean`) for
/// a writer that walks a batch of ticks in time order: it keeps the prices of the last minute
/// and their exact integer sum, so each tick costs O(1) amortised and no floating-point drift
/// accumulates.
///
/// Use: `record` the stored prices before the batch (the last minute, or just the latest row
/// when the last minute is empty — it then serves as the fallback); then for each tick in time
/// order take `average(at: tick.second)` and `record` the tick.
public struct OneMinuteAverage: Sendable {
    /// The window length: 60 s for the legacy column.
    public let windowSeconds: Int64

    /// Recorded prices not yet evicted, sorted by second; `entries[head...]` is live.
    private var entries: [PricePoint] = []
    private var head = 0
    /// Exact sum of `entries[head...]`.
    private var sum: Int64 = 0
    /// The latest evicted price: the fallback when the window is empty.
    private var latestEvicted: PricePoint?
    /// The last `t` asked for; `average(at:)` needs non-decreasing `t`, since it evicts.
    private var lastAsked = Int64.min

    /// An empty accumulator over a window of `windowSeconds` (60 for the legacy column).
    public init(windowSeconds: Int64 = 60) {
        precondition(windowSeconds > 0, "the averaging window must be positive")
        self.windowSeconds = windowSeconds
    }

    /// Records the price of `second`. Seconds should come in increasing order; an earlier one is
    /// inserted in place (O(n)), and a second already recorded is replaced (last write wins).
    public mutating func record(second: Int64, cents: Int64) {
        let point = PricePoint(second: second, cents: cents)
        if head == entries.count || entries[entries.count - 1].second < second {
            entries.append(point)
            sum += cents
            return
        }
        // Binary search for the first live entry at or after `second`.
        var lo = head, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].second < second { lo = mid + 1 } else { hi = mid }
        }
        if entries[lo].second == second {
            sum += cents - entries[lo].cents
            entries[lo].cents = cents
        } else {
            entries.insert(point, at: lo)
            sum += cents
        }
    }

    /// The average at second `t` over the recorded prices (recorded prices at or after `t` are
    /// not counted). `t` must not decrease from one call to the next.
    public mutating func average(at t: Int64) -> OneMinuteMean {
        precondition(t >= lastAsked, "OneMinuteAverage.average(at:) needs non-decreasing seconds")
        lastAsked = t
        let cutoff = t - windowSeconds
        while head < entries.count, entries[head].second < cutoff {
            let evicted = entries[head]
            sum -= evicted.cents
            if latestEvicted.map({ $0.second < evicted.second }) ?? true { latestEvicted = evicted }
            head += 1
        }
        if head > 1024, head * 2 > entries.count {  // compact now and then; keeps memory bounded
            entries.removeFirst(head)
            head = 0
        }
        // Entries at or after `t` (normally none) are recorded but not yet in the window.
        var end = entries.count
        var windowSum = sum
        while end > head, entries[end - 1].second >= t {
            end -= 1
            windowSum -= entries[end].cents
        }
        if end > head { return OneMinuteMean(basis: .window(count: end - head, sumCents: windowSum)) }
        if let earlier = latestEvicted { return OneMinuteMean(basis: .latestEarlier(earlier)) }
        return OneMinuteMean(basis: .none)
    }
}
