/// `GET /historical/cutoff`: the boundary between the live and the historical data sets. Markets
/// settled before `marketSettled` (and their candlesticks) and trades/fills created before
/// `tradesCreated` are only served by the `/historical/...` endpoints.
public struct HistoricalCutoff: Sendable, Equatable {
    /// UTC epoch seconds.
    public var marketSettled: Int64
    /// UTC epoch seconds.
    public var tradesCreated: Int64

    public init(marketSettled: Int64, tradesCreated: Int64) {
        self.marketSettled = marketSettled
        self.tradesCreated = tradesCreated
    }
}
