import Foundation
import StorageKit

/// Coinbase spot price: `GET {base}/v2/prices/BTC-USD/spot` →
/// `{"data":{"base":"BTC","currency":"USD","amount":"43251.23"}}`.
public struct CoinbaseSpotClient: RESTPriceSource {
    public var baseURL: URL
    public var productId: String
    public var source: PriceSource { .coinbaseSpot }
    private let http: HTTPGetter

    public init(baseURL: URL = URL(string: "https://api.coinbase.com")!, productId: String = "BTC-USD",
                timeout: Duration = .milliseconds(800)) {
        self.baseURL = baseURL
        self.productId = productId
        self.http = HTTPGetter(timeout: timeout)
    }

    private struct Body: Decodable {
        struct Spot: Decodable {
            var base: String
            var currency: String
            var amount: PositiveCents
        }
        var data: Spot
    }

    public func fetchPrice() async throws(PriceFeedError) -> USDCents {
        let url = baseURL.appendingPathComponent("v2/prices/\(productId)/spot")
        let response = try await http.get(url)
        let body = try HTTPGetter.decode(Body.self, from: response.body, subject: url.absoluteString)
        let expected = productId.split(separator: "-").map(String.init)
        guard expected.count != 2 || (body.data.base == expected[0] && body.data.currency == expected[1]) else {
            throw PriceFeedError(.wrongProduct, subject: url.absoluteString,
                                 "spot price is \(body.data.base)-\(body.data.currency), expected \(productId)")
        }
        return body.data.amount.value
    }
}
