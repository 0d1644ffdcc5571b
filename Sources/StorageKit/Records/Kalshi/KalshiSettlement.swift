/// One settlement of the account (a market we held settled), from `/portfolio/settlements` or the
/// legacy `settlements.json`. Identified by (ticker, settled time), as the legacy table was.
public struct KalshiSettlement: StorableRecord, Hashable {
    public var ticker: String
    /// UTC epoch seconds of `settled_time`.
    public var settledTime: Int64
    public var eventTicker: String?
    /// `yes`, `no`, `scalar`, `void`.
    public var marketResult: String
    public var yesCount: ContractCount
    public var yesTotalCost: DollarAmount
    public var noCount: ContractCount
    public var noTotalCost: DollarAmount
    /// What the settlement paid (Kalshi sends integer cents; stored in dollars).
    public var revenue: DollarAmount
    public var feeCost: DollarAmount?
    /// The settlement value per YES contract, when sent (cents in the API; stored in dollars).
    public var value: DollarAmount?
    public var rawJSON: String

    public init(ticker: String, settledTime: Int64, eventTicker: String?, marketResult: String, yesCount: ContractCount,
                yesTotalCost: DollarAmount, noCount: ContractCount, noTotalCost: DollarAmount, revenue: DollarAmount,
                feeCost: DollarAmount?, value: DollarAmount?, rawJSON: String) {
        self.ticker = ticker
        self.settledTime = settledTime
        self.eventTicker = eventTicker
        self.marketResult = marketResult
        self.yesCount = yesCount
        self.yesTotalCost = yesTotalCost
        self.noCount = noCount
        self.noTotalCost = noTotalCost
        self.revenue = revenue
        self.feeCost = feeCost
        self.value = value
        self.rawJSON = rawJSON
    }

    public static let dataset = "kalshi_settlements"
    public var naturalKey: String { "\(ticker)|\(settledTime)" }

    public func validate() throws {
        var key: String { "settlement \(ticker.isEmpty ? "(no ticker)" : ticker) at \(UTCTime.iso8601(epochSeconds: settledTime))" }  // built only for an error message
        try KalshiRecordCheck.ticker(ticker, "ticker", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.epoch(settledTime, "settled_time", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.oneOf(marketResult, ["yes", "no", "scalar", "void", ""], "market_result", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.nonNegative(yesCount, "yes_count", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.nonNegative(noCount, "no_count", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.raw(rawJSON, dataset: Self.dataset, key: key)
    }

    /// `kalshi_settlements`, keyed by (ticker, settled_time).
    public static var postgres: PostgresMapping<KalshiSettlement>? {
        PostgresMapping(
            table: "kalshi_settlements",
            columns: ["ticker", "settled_time", "event_ticker", "market_result", "yes_count", "yes_total_cost", "no_count",
                      "no_total_cost", "revenue", "fee_cost", "value", "raw"],
            conflictColumns: ["ticker", "settled_time"],
            onConflict: .doNothing,
            encode: { s in
                [s.ticker, UTCTime.postgresText(epochSeconds: s.settledTime), s.eventTicker, s.marketResult, s.yesCount.description,
                 s.yesTotalCost.description, s.noCount.description, s.noTotalCost.description, s.revenue.description,
                 s.feeCost?.description, s.value?.description, s.rawJSON]
            },
            decode: { row in
                var r = try PostgresRowCursor(row, dataset: dataset, columns: 12)
                return KalshiSettlement(ticker: try r.text(), settledTime: try r.epochSeconds(), eventTicker: r.optionalText(),
                                        marketResult: try r.text(), yesCount: try r.count(), yesTotalCost: try r.dollars(),
                                        noCount: try r.count(), noTotalCost: try r.dollars(), revenue: try r.dollars(),
                                        feeCost: try r.optionalDollars(), value: try r.optionalDollars(), rawJSON: try r.text())
            }
        )
    }

    /// The legacy ingest's `settlements.json` (`{"settlements": [...]}`, the settlement objects as
    /// received), keyed by (ticker, settled time) like the table.
    public static var json: JSONMapping<KalshiSettlement>? {
        JSONMapping(document: .rawObjects(
            fileName: "settlements.json", member: "settlements", raw: \.rawJSON, key: { "settlement \($0.naturalKey)" },
            itemKey: { item in
                guard let ticker = item["ticker"]?.stringValue, let text = item["settled_time"]?.stringValue,
                      let settled = UTCTime.parseEpochSeconds(text) else { return nil }
                return "\(ticker)|\(settled)"
            }))
    }
}
