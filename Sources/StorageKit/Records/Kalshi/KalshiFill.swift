/// One fill of the account (a trade of ours that matched), from `/portfolio/fills` or
/// `/historical/fills`, or the legacy `fills.json`. Kalshi's `trade_id` identifies it: a fill
/// never changes, so a replay keeps the stored row.
public struct KalshiFill: StorableRecord, Hashable {
    public var tradeId: String
    public var fillId: String?
    public var orderId: String?
    public var marketTicker: String
    /// `yes` or `no`.
    public var side: String
    /// `buy` or `sell`.
    public var action: String
    public var count: ContractCount
    public var yesPrice: DollarAmount
    public var noPrice: DollarAmount
    public var isTaker: Bool?
    public var feeCost: DollarAmount?
    /// UTC epoch seconds of `created_time` (or `ts`).
    public var createdTime: Int64
    /// The fill object as received (compact JSON).
    public var rawJSON: String

    public init(tradeId: String, fillId: String?, orderId: String?, marketTicker: String, side: String, action: String,
                count: ContractCount, yesPrice: DollarAmount, noPrice: DollarAmount, isTaker: Bool?, feeCost: DollarAmount?,
                createdTime: Int64, rawJSON: String) {
        self.tradeId = tradeId
        self.fillId = fillId
        self.orderId = orderId
        self.marketTicker = marketTicker
        self.side = side
        self.action = action
        self.count = count
        self.yesPrice = yesPrice
        self.noPrice = noPrice
        self.isTaker = isTaker
        self.feeCost = feeCost
        self.createdTime = createdTime
        self.rawJSON = rawJSON
    }

    public static let dataset = "kalshi_fills"
    public var naturalKey: String { tradeId }

    public func validate() throws {
        var key: String { "fill \(tradeId.isEmpty ? "(no trade_id)" : tradeId)" }  // built only for an error message
        try KalshiRecordCheck.ticker(tradeId, "trade_id", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.ticker(marketTicker, "ticker", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.oneOf(side, ["yes", "no"], "side", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.oneOf(action, ["buy", "sell"], "action", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.nonNegative(count, "count", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.price(yesPrice, "yes_price", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.price(noPrice, "no_price", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.epoch(createdTime, "created_time", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.raw(rawJSON, dataset: Self.dataset, key: key)
    }

    /// `kalshi_fills`, keyed by `trade_id`.
    public static var postgres: PostgresMapping<KalshiFill>? {
        PostgresMapping(
            table: "kalshi_fills",
            columns: ["trade_id", "fill_id", "order_id", "market_ticker", "side", "action", "count", "yes_price", "no_price",
                      "is_taker", "fee_cost", "created_time", "raw"],
            conflictColumns: ["trade_id"],
            onConflict: .doNothing,
            encode: { f in
                [f.tradeId, f.fillId, f.orderId, f.marketTicker, f.side, f.action, f.count.description, f.yesPrice.description,
                 f.noPrice.description, f.isTaker.map { $0 ? "t" : "f" }, f.feeCost?.description,
                 UTCTime.postgresText(epochSeconds: f.createdTime), f.rawJSON]
            },
            decode: { row in
                var r = try PostgresRowCursor(row, dataset: dataset, columns: 13)
                let tradeId = try r.text(), fillId = r.optionalText(), orderId = r.optionalText()
                let ticker = try r.text(), side = try r.text(), action = try r.text(), count = try r.count()
                let yes = try r.dollars(), no = try r.dollars()
                let isTaker = try r.optionalBool()
                let fee = try r.optionalDollars(), created = try r.epochSeconds(), raw = try r.text()
                return KalshiFill(tradeId: tradeId, fillId: fillId, orderId: orderId, marketTicker: ticker, side: side,
                                  action: action, count: count, yesPrice: yes, noPrice: no, isTaker: isTaker, feeCost: fee,
                                  createdTime: created, rawJSON: raw)
            }
        )
    }

    /// The legacy ingest's `fills.json` (`{"fills": [...]}`, the fill objects as received), keyed by `trade_id`.
    public static var json: JSONMapping<KalshiFill>? {
        JSONMapping(document: .rawObjects(fileName: "fills.json", member: "fills", raw: \.rawJSON, key: { "fill \($0.tradeId)" },
                                          itemKey: { $0["trade_id"]?.stringValue }))
    }
}
