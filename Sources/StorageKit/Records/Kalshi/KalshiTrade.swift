/// One public trade of a market, from `/markets/trades` or `/historical/trades`. Identified by
/// Kalshi's `trade_id`; never changes. Bulk: COPY path.
public struct KalshiTrade: StorableRecord, Hashable {
    public var tradeId: String
    public var ticker: String
    public var count: ContractCount
    public var yesPrice: DollarAmount
    public var noPrice: DollarAmount
    /// `yes` or `no`.
    public var takerSide: String
    /// UTC epoch seconds of `created_time`.
    public var createdTime: Int64

    public init(tradeId: String, ticker: String, count: ContractCount, yesPrice: DollarAmount, noPrice: DollarAmount,
                takerSide: String, createdTime: Int64) {
        self.tradeId = tradeId
        self.ticker = ticker
        self.count = count
        self.yesPrice = yesPrice
        self.noPrice = noPrice
        self.takerSide = takerSide
        self.createdTime = createdTime
    }

    public static let dataset = "kalshi_trades"
    public var naturalKey: String { tradeId }

    public func validate() throws {
        var key: String { "trade \(tradeId.isEmpty ? "(no trade_id)" : tradeId)" }  // built only for an error message
        try KalshiRecordCheck.ticker(tradeId, "trade_id", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.ticker(ticker, "ticker", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.oneOf(takerSide, ["yes", "no"], "taker_side", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.nonNegative(count, "count", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.price(yesPrice, "yes_price", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.price(noPrice, "no_price", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.epoch(createdTime, "created_time", dataset: Self.dataset, key: key)
    }

    /// `kalshi_trades`, keyed by `trade_id`.
    public static var postgres: PostgresMapping<KalshiTrade>? {
        PostgresMapping(
            table: "kalshi_trades",
            columns: ["trade_id", "ticker", "count", "yes_price", "no_price", "taker_side", "created_time"],
            conflictColumns: ["trade_id"],
            onConflict: .doNothing,
            encode: { t in
                [t.tradeId, t.ticker, t.count.description, t.yesPrice.description, t.noPrice.description, t.takerSide,
                 UTCTime.postgresText(epochSeconds: t.createdTime)]
            },
            decode: { row in
                var r = try PostgresRowCursor(row, dataset: dataset, columns: 7)
                return KalshiTrade(tradeId: try r.text(), ticker: try r.text(), count: try r.count(), yesPrice: try r.dollars(),
                                   noPrice: try r.dollars(), takerSide: try r.text(), createdTime: try r.epochSeconds())
            },
            encodeCopy: { t, row in
                try row.field(t.tradeId)
                try row.field(t.ticker)
                row.count(t.count)
                row.dollars(t.yesPrice)
                row.dollars(t.noPrice)
                try row.field(t.takerSide)
                row.timestamp(epochSeconds: t.createdTime)
            }
        )
    }
}
