/// The scripted ticker stream: which prices, how often, and whether heartbeats interleave.
/// Prices cycle; trade ids and sequences increase from `firstTradeId`/`firstSequence` across all
/// connections, as Coinbase's do.
public struct TickerScript: Sendable, Hashable {
    /// Prices as the exchange sends them (`"64000.12000000"`); cycled.
    public var prices: [String]
    public var interval: Duration
    public var heartbeatInterval: Duration?
    public var productId: String
    public var firstTradeId: Int64
    public var firstSequence: Int64

    public init(prices: [String] = ["64000.12000000"], interval: Duration = .milliseconds(100),
                heartbeatInterval: Duration? = nil, productId: String = "BTC-USD",
                firstTradeId: Int64 = 43_736_677, firstSequence: Int64 = 5_928_281_348) {
        precondition(!prices.isEmpty, "a ticker script needs at least one price")
        self.prices = prices
        self.interval = interval
        self.heartbeatInterval = heartbeatInterval
        self.productId = productId
        self.firstTradeId = firstTradeId
        self.firstSequence = firstSequence
    }
}
