import StorageKit

/// One Kraken OHLC row `[time, open, high, low, close, vwap, volume, count]`: `time` is the
/// candle's opening UTC epoch second; prices are exact cents; volume stays the string sent.
public struct KrakenCandle: Sendable, Hashable {
    public var time: Int64
    public var open: USDCents
    public var high: USDCents
    public var low: USDCents
    public var close: USDCents
    public var vwap: USDCents
    public var volume: String
    public var count: Int64

    public init(time: Int64, open: USDCents, high: USDCents, low: USDCents, close: USDCents,
                vwap: USDCents, volume: String, count: Int64) {
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.vwap = vwap
        self.volume = volume
        self.count = count
    }
}
