/// One market position of the account, as one `/portfolio/positions` snapshot saw it. The table
/// holds exactly the latest snapshot: it is replaced as a whole in one transaction
/// (`PostgresAtomicBatch.replaceAll`), so a reader sees the previous snapshot or the new one,
/// never an empty or partial table.
public struct KalshiPosition: StorableRecord, Hashable {
    public var ticker: String
    /// Contracts held: positive YES, negative NO.
    public var position: ContractCount
    public var totalTraded: DollarAmount
    public var marketExposure: DollarAmount
    public var realizedPnl: DollarAmount
    public var feesPaid: DollarAmount
    public var restingOrdersCount: Int64
    /// UTC epoch seconds of `last_updated_ts`, when sent.
    public var lastUpdated: Int64?
    /// UTC epoch seconds the snapshot was taken.
    public var snapshotTime: Int64
    public var rawJSON: String

    public init(ticker: String, position: ContractCount, totalTraded: DollarAmount, marketExposure: DollarAmount,
                realizedPnl: DollarAmount, feesPaid: DollarAmount, restingOrdersCount: Int64, lastUpdated: Int64?,
                snapshotTime: Int64, rawJSON: String) {
        self.ticker = ticker
        self.position = position
        self.totalTraded = totalTraded
        self.marketExposure = marketExposure
        self.realizedPnl = realizedPnl
        self.feesPaid = feesPaid
        self.restingOrdersCount = restingOrdersCount
        self.lastUpdated = lastUpdated
        self.snapshotTime = snapshotTime
        self.rawJSON = rawJSON
    }

    public static let dataset = "kalshi_positions"
    public var naturalKey: String { ticker }

    public func validate() throws {
        var key: String { "position \(ticker.isEmpty ? "(no ticker)" : ticker)" }  // built only for an error message
        try KalshiRecordCheck.ticker(ticker, "ticker", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.epoch(snapshotTime, "snapshot time", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.raw(rawJSON, dataset: Self.dataset, key: key)
    }

    /// `kalshi_positions`, keyed by ticker; replaced wholesale per snapshot.
    public static var postgres: PostgresMapping<KalshiPosition>? {
        PostgresMapping(
            table: "kalshi_positions",
            columns: ["ticker", "position", "total_traded", "market_exposure", "realized_pnl", "fees_paid",
                      "resting_orders_count", "last_updated", "snapshot_time", "raw"],
            conflictColumns: ["ticker"],
            onConflict: .updateAll,
            encode: { p in
                [p.ticker, p.position.description, p.totalTraded.description, p.marketExposure.description, p.realizedPnl.description,
                 p.feesPaid.description, String(p.restingOrdersCount), p.lastUpdated.map { UTCTime.postgresText(epochSeconds: $0) },
                 UTCTime.postgresText(epochSeconds: p.snapshotTime), p.rawJSON]
            },
            decode: { row in
                var r = try PostgresRowCursor(row, dataset: dataset, columns: 10)
                return KalshiPosition(ticker: try r.text(), position: try r.count(), totalTraded: try r.dollars(),
                                      marketExposure: try r.dollars(), realizedPnl: try r.dollars(), feesPaid: try r.dollars(),
                                      restingOrdersCount: try r.integer(), lastUpdated: try r.optionalEpochSeconds(),
                                      snapshotTime: try r.epochSeconds(), rawJSON: try r.text())
            }
        )
    }
}
