/// One Kalshi market of a configured series, from `/markets?status=settled` or
/// `/historical/markets`: its schedule, outcome and the object as received. A market's row may be
/// corrected by a later listing (status `settled` → `finalized`), so a newer listing replaces it.
public struct KalshiMarket: StorableRecord, Hashable {
    public var ticker: String
    public var eventTicker: String
    public var seriesTicker: String
    public var status: String
    /// `yes`, `no`, ... or empty before a result.
    public var result: String
    public var openTime: Int64
    public var closeTime: Int64
    /// UTC epoch seconds of `settlement_ts`, when sent.
    public var settlementTime: Int64?
    public var settlementValue: DollarAmount?
    public var volume: ContractCount?
    public var rawJSON: String

    public init(ticker: String, eventTicker: String, seriesTicker: String, status: String, result: String, openTime: Int64,
                closeTime: Int64, settlementTime: Int64?, settlementValue: DollarAmount?, volume: ContractCount?, rawJSON: String) {
        self.ticker = ticker
        self.eventTicker = eventTicker
        self.seriesTicker = seriesTicker
        self.status = status
        self.result = result
        self.openTime = openTime
        self.closeTime = closeTime
        self.settlementTime = settlementTime
        self.settlementValue = settlementValue
        self.volume = volume
        self.rawJSON = rawJSON
    }

    public static let dataset = "kalshi_markets"
    public var naturalKey: String { ticker }

    public func validate() throws {
        var key: String { "market \(ticker.isEmpty ? "(no ticker)" : ticker)" }  // built only for an error message
        try KalshiRecordCheck.ticker(ticker, "ticker", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.ticker(eventTicker, "event_ticker", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.ticker(seriesTicker, "series", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.epoch(openTime, "open_time", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.epoch(closeTime, "close_time", dataset: Self.dataset, key: key)
        guard closeTime >= openTime else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "\(key): close_time is before open_time")
        }
        try KalshiRecordCheck.raw(rawJSON, dataset: Self.dataset, key: key)
    }

    /// `kalshi_markets`, keyed by ticker; a newer listing replaces the row.
    public static var postgres: PostgresMapping<KalshiMarket>? {
        PostgresMapping(
            table: "kalshi_markets",
            columns: ["ticker", "event_ticker", "series_ticker", "status", "result", "open_time", "close_time", "settlement_time",
                      "settlement_value", "volume", "raw"],
            conflictColumns: ["ticker"],
            onConflict: .updateAll,
            encode: { m in
                [m.ticker, m.eventTicker, m.seriesTicker, m.status, m.result, UTCTime.postgresText(epochSeconds: m.openTime),
                 UTCTime.postgresText(epochSeconds: m.closeTime), m.settlementTime.map { UTCTime.postgresText(epochSeconds: $0) },
                 m.settlementValue?.description, m.volume?.description, m.rawJSON]
            },
            decode: { row in
                var r = try PostgresRowCursor(row, dataset: dataset, columns: 11)
                return KalshiMarket(ticker: try r.text(), eventTicker: try r.text(), seriesTicker: try r.text(), status: try r.text(),
                                    result: try r.text(), openTime: try r.epochSeconds(), closeTime: try r.epochSeconds(),
                                    settlementTime: try r.optionalEpochSeconds(), settlementValue: try r.optionalDollars(),
                                    volume: try r.optionalCount(), rawJSON: try r.text())
            }
        )
    }
}
