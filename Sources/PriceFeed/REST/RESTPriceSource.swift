import StorageKit

/// A REST endpoint that answers "what is the BTC/USD price now": the fallback while the
/// websocket is down. Conformers: `CoinbaseSpotClient`, `KrakenTickerClient`.
public protocol RESTPriceSource: Sendable {
    /// The source recorded on ticks this price lands in.
    var source: PriceSource { get }
    /// Fetches the current price.
    func fetchPrice() async throws(PriceFeedError) -> USDCents
}
