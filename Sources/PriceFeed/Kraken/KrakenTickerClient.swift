import Foundation
import StorageKit

/// Kraken ticker: `GET {base}/0/public/Ticker?pair=XBTUSD` → last trade price at
/// `result.XXBTZUSD.c[0]` (a decimal string; `c[1]` is the lot volume).
public struct KrakenTickerClient: RESTPriceSource {
    public var baseURL: URL
    /// The query pair (`XBTUSD`) and the key Kraken answers under (`XXBTZUSD`).
    public var pair: String
    public var resultKey: String
    public var source: PriceSource { .krakenTicker }
    private let http: HTTPGetter

    public init(baseURL: URL = URL(string: "https://api.kraken.com")!, pair: String = "XBTUSD",
                resultKey: String = "XXBTZUSD", timeout: Duration = .milliseconds(800)) {
        self.baseURL = baseURL
        self.pair = pair
        self.resultKey = resultKey
        self.http = HTTPGetter(timeout: timeout)
    }

    private struct Ticker: Decodable {
        var c: [String]
    }

    public func fetchPrice() async throws(PriceFeedError) -> USDCents {
        let url = URL(string: baseURL.absoluteString.trimmingSuffix("/") + "/0/public/Ticker?pair=\(pair)")!
        let response = try await http.get(url)
        let ticker = try HTTPGetter.decode(KrakenResponse<Ticker>.self, from: response.body, subject: url.absoluteString)
            .pair(resultKey, subject: url.absoluteString)
        guard let text = ticker.c.first, let price = USDCents(decimalString: text), price.cents > 0 else {
            throw PriceFeedError(.invalidPrice, subject: url.absoluteString,
                                 "result.\(resultKey).c[0] is not a positive decimal",
                                 excerpt: PriceFeedError.excerpt(of: response.body))
        }
        return price
    }
}
