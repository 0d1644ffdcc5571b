import StorageKit

/// One observed BTC/USD price: a websocket trade, a REST poll, or a historical trade used for gap
/// repair. It is what `PerSecondSampler` consumes.
public struct FeedTrade: Sendable, Hashable {
    /// Exact price in cents (the exchange's decimal string, rounded half-even to the cent).
    public var price: USDCents
    /// When the trade happened (exchange time), or when a REST price was read (local time).
    public var time: TradeTime
    /// Where the price came from; recorded on the tick of the second it lands in.
    public var source: PriceSource
    /// Coinbase `trade_id`, when the source has one.
    public var tradeId: Int64?
    /// Coinbase `sequence`, when the source has one.
    public var sequence: Int64?

    public init(price: USDCents, time: TradeTime, source: PriceSource, tradeId: Int64? = nil, sequence: Int64? = nil) {
        self.price = price
        self.time = time
        self.source = source
        self.tradeId = tradeId
        self.sequence = sequence
    }
}
