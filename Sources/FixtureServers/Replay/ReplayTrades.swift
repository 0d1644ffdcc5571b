import Foundation

/// Coinbase Exchange's `GET /products/BTC-USD/trades` for the replay feed: one trade per second of
/// the last day, a quarter second into it, priced from the dataset's timeline (second `s` trades
/// at `prices[s mod count]`), trade id = the epoch second. Newest first, `limit` (≤ 1000) per page,
/// `after=ID` for older trades and the `CB-AFTER` header naming the cursor of the next page, as
/// Coinbase paginates. So the price watchdog's gap repair finds a trade for every second it missed
/// across a restart (an empty list left a hole in the rehearsal's rolling restart).
struct ReplayTrades: Sendable {
    static let path = "/products/BTC-USD/trades"
    /// How far back trades are served.
    static let horizon: Int64 = 86_400

    let prices: [String]

    func respond(_ request: HTTPFixtureRequest, now: Double = Date().timeIntervalSince1970) -> HTTPFixtureResponse {
        let query = request.queryParameters
        let limit = min(1000, max(1, Int(query["limit"] ?? "1000") ?? 1000))
        // The newest second whose trade time (s + 0.25) has passed.
        let newest = Int64((now - 0.25).rounded(.down))
        var first = newest
        if let after = query["after"] {
            guard let cursor = Int64(after) else {
                return .json(#"{"message": "Invalid after"}"#, status: 400)
            }
            first = min(newest, cursor - 1)
        }
        let oldest = newest - Self.horizon
        var items: [String] = []
        var id = first
        while id > oldest, items.count < limit {
            let price = prices[Int(id % Int64(prices.count))]
            items.append(CoinbasePayloads.trade(time: CoinbasePayloads.timestamp(epochMicroseconds: id * 1_000_000 + 250_000),
                                                tradeId: id, price: price))
            id -= 1
        }
        let headers = items.isEmpty ? [] : [("CB-AFTER", String(id + 1))]
        return .json(CoinbasePayloads.tradesPage(items), headers: headers)
    }
}
