/// A deterministic Kalshi account and market history for the fixture server: computed, not
/// stored, so a benchmark can serve a million candlesticks and a million trades without holding
/// them. Market `i` of the series closes at `firstClose + i × 3600`, lived `marketLifeSeconds`,
/// and settled 5 minutes after closing; markets settled before `marketCutoff` are only served by
/// `/historical/markets`, trades and fills created before `tradesCutoff` only by the
/// `/historical/...` lists, as Kalshi does.
public struct KalshiHistoryDataset: Sendable {
    public var series: String
    public var markets: Int
    public var firstClose: Int64
    /// Multiple of 3600 (so 60-minute candlesticks tile the market's life).
    public var marketLifeSeconds: Int64
    public var tradesPerMarket: Int
    public var fills: Int
    public var settlements: Int
    public var positions: Int
    /// Fill `k` is created at `accountStart + k × fillSpacingSeconds`, settlement `k` settles at
    /// `accountStart + k × settlementSpacingSeconds`.
    public var accountStart: Int64
    /// 600 and 3600 by default; 1 with an `accountStart` near the wall clock makes a new fill and
    /// settlement appear every second (the lists serve nothing after their `max_ts`), for tests of
    /// a running daemon.
    public var fillSpacingSeconds: Int64
    public var settlementSpacingSeconds: Int64
    public var marketCutoff: Int64
    public var tradesCutoff: Int64

    public init(series: String = "KXBTCD", markets: Int = 6, firstClose: Int64 = 1_754_683_200, marketLifeSeconds: Int64 = 7200,
                tradesPerMarket: Int = 25, fills: Int = 40, settlements: Int = 12, positions: Int = 7,
                accountStart: Int64? = nil, marketCutoff: Int64? = nil, tradesCutoff: Int64? = nil,
                fillSpacingSeconds: Int64 = 600, settlementSpacingSeconds: Int64 = 3600) {
        self.series = series
        self.markets = markets
        self.firstClose = firstClose
        self.marketLifeSeconds = marketLifeSeconds
        self.tradesPerMarket = tradesPerMarket
        self.fills = fills
        self.settlements = settlements
        self.positions = positions
        self.fillSpacingSeconds = fillSpacingSeconds
        self.settlementSpacingSeconds = settlementSpacingSeconds
        // By default the cutoffs split the data: the first half of the markets settled before the
        // market cutoff, the trades cutoff falls in the middle of a market's life, and half of the
        // fills are older than it.
        self.marketCutoff = marketCutoff ?? firstClose + Int64(markets / 2) * 3600
        let trades = tradesCutoff ?? firstClose + Int64(markets / 2) * 3600 - marketLifeSeconds / 2
        self.tradesCutoff = trades
        self.accountStart = accountStart ?? trades - Int64(fills / 2) * fillSpacingSeconds
    }

    // MARK: Markets

    public func eventTicker(_ i: Int) -> String { "\(series)-H\(100000 + i)" }
    public func marketTicker(_ i: Int) -> String { "\(eventTicker(i))-T\(60000 + i * 250).99" }
    public func closeTime(_ i: Int) -> Int64 { firstClose + Int64(i) * 3600 }
    public func openTime(_ i: Int) -> Int64 { closeTime(i) - marketLifeSeconds }
    public func settlementTime(_ i: Int) -> Int64 { closeTime(i) + 300 }
    /// The market index of a ticker of this dataset.
    public func marketIndex(_ ticker: String) -> Int? {
        guard ticker.hasPrefix(series + "-H"), let dash = ticker.lastIndex(of: "-") else { return nil }
        let start = ticker.index(ticker.startIndex, offsetBy: series.count + 2)
        guard start < dash, let n = Int(ticker[start..<dash]), n >= 100000 else { return nil }
        let i = n - 100000
        return i < markets && marketTicker(i) == ticker ? i : nil
    }

    public func isHistoricalMarket(_ i: Int) -> Bool { settlementTime(i) < marketCutoff }

    public func candlesticks(market i: Int, periodMinutes: Int64) -> Int { Int(marketLifeSeconds / (periodMinutes * 60)) }
    public var totalCandlesticks: Int { markets * (candlesticks(market: 0, periodMinutes: 1) + candlesticks(market: 0, periodMinutes: 60)) }

    // MARK: Trades

    public func tradeTime(market i: Int, _ k: Int) -> Int64 {
        openTime(i) + Int64(k) * marketLifeSeconds / Int64(max(1, tradesPerMarket))
    }
    public var totalTrades: Int { markets * tradesPerMarket }

    // MARK: Account

    public func fillTime(_ k: Int) -> Int64 { accountStart + Int64(k) * fillSpacingSeconds }
    public func settlementTime(account k: Int) -> Int64 { accountStart + Int64(k) * settlementSpacingSeconds }
}
