import StorageKit

/// The legacy "price change" figures from Kraken 60-minute OHLC candles, in percent.
///
/// Exact formula (derived from the legacy code's use of candles −1, −2, −4 and −25, i.e. the last,
/// second-to-last, fourth-to-last and 25th-to-last rows of `result.XXBTZUSD`, oldest first):
///
///     now      = close(−1)
///     change1h = (now − close(−2))  / close(−2)  × 100
///     change3h = (now − close(−4))  / close(−4)  × 100
///     change1d = (now − close(−25)) / close(−25) × 100
///
/// computed from exact cents in `Double`, unrounded (the JSON writer decides the presentation).
/// Kraken's last row is the hour still in progress, so `close(−1)` is the latest trade and
/// `close(−k)` is the price at the top of the hour `k − 1` hours before the current one: the
/// "1h" figure spans 0–60 min, "3h" 2–3 h and "1d" 23–24 h. That is the legacy behaviour, kept
/// for parity; it is not an exact trailing window.
public struct PriceChange: Sendable, Hashable {
    public var change1h: Double
    public var change3h: Double
    public var change1d: Double
    /// `close(−1)`, the price the changes are measured to.
    public var current: USDCents
    /// Opening UTC epoch second of the last (in-progress) candle.
    public var candleTime: Int64

    public init(change1h: Double, change3h: Double, change1d: Double, current: USDCents, candleTime: Int64) {
        self.change1h = change1h
        self.change3h = change3h
        self.change1d = change1d
        self.current = current
        self.candleTime = candleTime
    }

    /// Computes the figures from candles in Kraken's order (oldest first). Needs at least 25 rows
    /// and positive reference closes.
    public init(candles: [KrakenCandle]) throws(PriceFeedError) {
        guard candles.count >= 25 else {
            throw PriceFeedError(.insufficientData, subject: "kraken OHLC",
                                 "need 25 hourly candles for the 1-day change, got \(candles.count)")
        }
        let sorted = candles.sorted { $0.time < $1.time }
        func close(_ fromEnd: Int) -> USDCents { sorted[sorted.count - fromEnd].close }
        let now = close(1)
        func percent(_ past: USDCents) throws(PriceFeedError) -> Double {
            guard past.cents > 0 else {
                throw PriceFeedError(.invalidPrice, subject: "kraken OHLC", "reference close \(past) is not positive")
            }
            return Double(now.cents - past.cents) / Double(past.cents) * 100
        }
        self.init(change1h: try percent(close(2)), change3h: try percent(close(4)), change1d: try percent(close(25)),
                  current: now, candleTime: sorted[sorted.count - 1].time)
    }
}
