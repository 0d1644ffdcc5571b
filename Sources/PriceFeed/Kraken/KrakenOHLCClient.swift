import Foundation
import StorageKit

/// Kraken OHLC: `GET {base}/0/public/OHLC?pair=XBTUSD&interval=60` → `result.XXBTZUSD`, rows of
/// `[time, open, high, low, close, vwap, volume, count]` (decimals as strings, `time` an integer).
public struct KrakenOHLCClient: Sendable {
    public var baseURL: URL
    public var pair: String
    public var resultKey: String
    /// Candle length in minutes (legacy: 60).
    public var intervalMinutes: Int
    private let http: HTTPGetter

    public init(baseURL: URL = URL(string: "https://api.kraken.com")!, pair: String = "XBTUSD",
                resultKey: String = "XXBTZUSD", intervalMinutes: Int = 60, timeout: Duration = .seconds(10)) {
        self.baseURL = baseURL
        self.pair = pair
        self.resultKey = resultKey
        self.intervalMinutes = intervalMinutes
        self.http = HTTPGetter(timeout: timeout)
    }

    /// Fetches the candles, oldest first as Kraken sends them.
    public func fetchCandles() async throws(PriceFeedError) -> [KrakenCandle] {
        let url = URL(string: baseURL.absoluteString.trimmingSuffix("/")
            + "/0/public/OHLC?pair=\(pair)&interval=\(intervalMinutes)")!
        let subject = url.absoluteString
        let response = try await http.get(url)
        let rows = try HTTPGetter.decode(KrakenResponse<[[KrakenScalar]]>.self, from: response.body, subject: subject)
            .pair(resultKey, subject: subject)
        var candles: [KrakenCandle] = []
        candles.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            func cents(_ k: Int) throws(PriceFeedError) -> USDCents {
                guard let text = row[k].text, let value = USDCents(decimalString: text), value.cents >= 0 else {
                    throw PriceFeedError(.malformedMessage, subject: subject,
                                         "$.result.\(resultKey)[\(i)][\(k)] is not a decimal string")
                }
                return value
            }
            guard row.count >= 8, let time = row[0].int, let count = row[7].int, let volume = row[6].text else {
                throw PriceFeedError(.malformedMessage, subject: subject,
                                     "$.result.\(resultKey)[\(i)] is not [time, open, high, low, close, vwap, volume, count]")
            }
            candles.append(KrakenCandle(time: time, open: try cents(1), high: try cents(2), low: try cents(3),
                                        close: try cents(4), vwap: try cents(5), volume: volume, count: count))
        }
        return candles
    }

    /// Fetches the candles and computes the legacy change figures.
    public func fetchPriceChange() async throws(PriceFeedError) -> PriceChange {
        try PriceChange(candles: try await fetchCandles())
    }
}
