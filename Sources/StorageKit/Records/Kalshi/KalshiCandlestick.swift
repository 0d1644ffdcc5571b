/// One candlestick of a market (1-minute or 60-minute period), from the live or the historical
/// candlestick endpoint (both forms decode to this). Identified by (ticker, period, end time);
/// a closed period never changes. Prices are dollars; the traded-price fields are absent for a
/// period without trades.
public struct KalshiCandlestick: StorableRecord, Hashable {
    public var ticker: String
    public var periodMinutes: Int64
    /// UTC epoch seconds the period ends.
    public var endPeriodTime: Int64
    public var yesBidOpen: DollarAmount, yesBidLow: DollarAmount, yesBidHigh: DollarAmount, yesBidClose: DollarAmount
    public var yesAskOpen: DollarAmount, yesAskLow: DollarAmount, yesAskHigh: DollarAmount, yesAskClose: DollarAmount
    public var priceOpen: DollarAmount?, priceLow: DollarAmount?, priceHigh: DollarAmount?, priceClose: DollarAmount?
    public var priceMean: DollarAmount?, pricePrevious: DollarAmount?
    public var volume: ContractCount
    public var openInterest: ContractCount

    public init(ticker: String, periodMinutes: Int64, endPeriodTime: Int64,
                yesBid: (open: DollarAmount, low: DollarAmount, high: DollarAmount, close: DollarAmount),
                yesAsk: (open: DollarAmount, low: DollarAmount, high: DollarAmount, close: DollarAmount),
                price: (open: DollarAmount?, low: DollarAmount?, high: DollarAmount?, close: DollarAmount?, mean: DollarAmount?, previous: DollarAmount?),
                volume: ContractCount, openInterest: ContractCount) {
        self.ticker = ticker
        self.periodMinutes = periodMinutes
        self.endPeriodTime = endPeriodTime
        (yesBidOpen, yesBidLow, yesBidHigh, yesBidClose) = yesBid
        (yesAskOpen, yesAskLow, yesAskHigh, yesAskClose) = yesAsk
        (priceOpen, priceLow, priceHigh, priceClose, priceMean, pricePrevious) = price
        self.volume = volume
        self.openInterest = openInterest
    }

    public static let dataset = "kalshi_candlesticks"
    public var naturalKey: String { "\(ticker)|\(periodMinutes)|\(endPeriodTime)" }

    /// (ticker, period, end time) in order: a market's candlesticks as served (oldest first) need
    /// no key strings to be de-duplicated.
    public func keyPrecedes(_ next: KalshiCandlestick) -> Bool? {
        if ticker != next.ticker { return ticker < next.ticker }
        if periodMinutes != next.periodMinutes { return periodMinutes < next.periodMinutes }
        return endPeriodTime < next.endPeriodTime
    }

    public func validate() throws {
        var key: String { "candlestick \(ticker.isEmpty ? "(no ticker)" : ticker)/\(periodMinutes)m at \(endPeriodTime)" }  // built only for an error message
        try KalshiRecordCheck.ticker(ticker, "ticker", dataset: Self.dataset, key: key)
        guard [1, 60, 1440].contains(periodMinutes) else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "\(key): period \(periodMinutes) is not 1, 60 or 1440 minutes")
        }
        try KalshiRecordCheck.epoch(endPeriodTime, "end_period_ts", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.nonNegative(volume, "volume", dataset: Self.dataset, key: key)
        try KalshiRecordCheck.nonNegative(openInterest, "open_interest", dataset: Self.dataset, key: key)
    }

    /// `kalshi_candlesticks`, keyed by (ticker, period_minutes, end_period_ts). Bulk: COPY path.
    public static var postgres: PostgresMapping<KalshiCandlestick>? {
        PostgresMapping(
            table: "kalshi_candlesticks",
            columns: ["ticker", "period_minutes", "end_period_ts", "yes_bid_open", "yes_bid_low", "yes_bid_high", "yes_bid_close",
                      "yes_ask_open", "yes_ask_low", "yes_ask_high", "yes_ask_close", "price_open", "price_low", "price_high",
                      "price_close", "price_mean", "price_previous", "volume", "open_interest"],
            conflictColumns: ["ticker", "period_minutes", "end_period_ts"],
            onConflict: .doNothing,
            encode: { c in
                [c.ticker, String(c.periodMinutes), UTCTime.postgresText(epochSeconds: c.endPeriodTime),
                 c.yesBidOpen.description, c.yesBidLow.description, c.yesBidHigh.description, c.yesBidClose.description,
                 c.yesAskOpen.description, c.yesAskLow.description, c.yesAskHigh.description, c.yesAskClose.description,
                 c.priceOpen?.description, c.priceLow?.description, c.priceHigh?.description, c.priceClose?.description,
                 c.priceMean?.description, c.pricePrevious?.description, c.volume.description, c.openInterest.description]
            },
            decode: { row in
                var r = try PostgresRowCursor(row, dataset: dataset, columns: 19)
                let ticker = try r.text(), period = try r.integer(), end = try r.epochSeconds()
                let bid = (try r.dollars(), try r.dollars(), try r.dollars(), try r.dollars())
                let ask = (try r.dollars(), try r.dollars(), try r.dollars(), try r.dollars())
                let price = (try r.optionalDollars(), try r.optionalDollars(), try r.optionalDollars(), try r.optionalDollars(),
                             try r.optionalDollars(), try r.optionalDollars())
                return KalshiCandlestick(ticker: ticker, periodMinutes: period, endPeriodTime: end, yesBid: bid, yesAsk: ask,
                                         price: price, volume: try r.count(), openInterest: try r.count())
            },
            encodeCopy: { c, row in
                try row.field(c.ticker)
                row.integer(c.periodMinutes)
                row.timestamp(epochSeconds: c.endPeriodTime)
                row.dollars(c.yesBidOpen); row.dollars(c.yesBidLow); row.dollars(c.yesBidHigh); row.dollars(c.yesBidClose)
                row.dollars(c.yesAskOpen); row.dollars(c.yesAskLow); row.dollars(c.yesAskHigh); row.dollars(c.yesAskClose)
                row.dollars(c.priceOpen); row.dollars(c.priceLow); row.dollars(c.priceHigh); row.dollars(c.priceClose)
                row.dollars(c.priceMean); row.dollars(c.pricePrevious)
                row.count(c.volume)
                row.count(c.openInterest)
            }
        )
    }
}
