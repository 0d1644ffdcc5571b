import StorageKit

/// A snapshot of the supervisor: what the daemon reports in `STATUS=` and uses for health.
public struct FeedStatus: Sendable, Hashable {
    /// The websocket is connected (subscribe sent, not yet closed).
    public var websocketConnected: Bool
    /// Where the live price comes from now: `.coinbaseWebSocket`, or the REST source that last
    /// answered while the websocket is down; `nil` before anything answered.
    public var currentSource: PriceSource?
    /// No tick is being produced: the last price is older than `staleAfterSeconds`.
    public var isStale: Bool
    /// The last second a tick was produced for.
    public var lastTickSecond: Int64?
    public var sampler: PerSecondSampler.Counters
    public var websocket: CoinbaseFeedCounters
    /// REST polls that failed (all sources of one poll count once each).
    public var restFailures: Int
    /// REST polls that produced a price.
    public var restSuccesses: Int
}
