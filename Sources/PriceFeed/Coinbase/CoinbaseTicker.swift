import StorageKit

/// A Coinbase Exchange `ticker` message: one trade on the product, with 24 h statistics.
/// Decimals arrive as strings; the price is kept exact in cents, the other decimals as sent.
public struct CoinbaseTicker: Sendable, Hashable {
    public var productId: String
    public var price: USDCents
    public var time: TradeTime
    public var tradeId: Int64
    public var sequence: Int64
    /// `"buy"` or `"sell"` (the taker side), when present.
    public var side: String?
    /// `last_size`, as sent.
    public var lastSize: String?
    public var bestBid: String?
    public var bestAsk: String?

    public init(productId: String, price: USDCents, time: TradeTime, tradeId: Int64, sequence: Int64,
                side: String? = nil, lastSize: String? = nil, bestBid: String? = nil, bestAsk: String? = nil) {
        self.productId = productId
        self.price = price
        self.time = time
        self.tradeId = tradeId
        self.sequence = sequence
        self.side = side
        self.lastSize = lastSize
        self.bestBid = bestBid
        self.bestAsk = bestAsk
    }

    /// The trade as the sampler consumes it.
    public var trade: FeedTrade {
        FeedTrade(price: price, time: time, source: .coinbaseWebSocket, tradeId: tradeId, sequence: sequence)
    }
}
