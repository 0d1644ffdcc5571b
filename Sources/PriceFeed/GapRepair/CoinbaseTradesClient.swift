import Foundation
import StorageKit

/// Coinbase Exchange recent trades: `GET {base}/products/BTC-USD/trades?limit=N[&after=CURSOR]`,
/// a JSON array of `{"time","trade_id","price","size","side"}`, newest first. The cursor for the
/// next (older) page comes in the `CB-AFTER` response header.
public struct CoinbaseTradesClient: Sendable {
    /// One page of trades, newest first, and the cursor for the next older page.
    public struct Page: Sendable {
        public var trades: [FeedTrade]
        public var nextCursor: String?
    }

    public var baseURL: URL
    public var productId: String
    /// Trades per page, at most 1000.
    public var pageSize: Int
    private let http: HTTPGetter

    public init(baseURL: URL = URL(string: "https://api.exchange.coinbase.com")!, productId: String = "BTC-USD",
                pageSize: Int = 1000, timeout: Duration = .seconds(5)) {
        self.baseURL = baseURL
        self.productId = productId
        self.pageSize = min(max(pageSize, 1), 1000)
        self.http = HTTPGetter(timeout: timeout)
    }

    private struct Trade: Decodable {
        var time: String
        var trade_id: Int64
        var price: PositiveCents
    }

    /// Fetches one page; `after` is the cursor from the previous page (`nil` = newest trades).
    public func fetchPage(after cursor: String? = nil) async throws(PriceFeedError) -> Page {
        var text = baseURL.absoluteString.trimmingSuffix("/") + "/products/\(productId)/trades?limit=\(pageSize)"
        if let cursor { text += "&after=\(cursor)" }
        let url = URL(string: text)!
        let response = try await http.get(url)
        let rows = try HTTPGetter.decode([Trade].self, from: response.body, subject: text)
        var trades: [FeedTrade] = []
        trades.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            guard let time = TradeTime(rfc3339: row.time) else {
                throw PriceFeedError(.malformedMessage, subject: text, "$[\(i)].time \(row.time) is not RFC 3339")
            }
            trades.append(FeedTrade(price: row.price.value, time: time, source: .gapRepair, tradeId: row.trade_id))
        }
        let next = response.header("CB-AFTER").flatMap { $0.isEmpty ? nil : $0 }
        return Page(trades: trades, nextCursor: next)
    }
}
