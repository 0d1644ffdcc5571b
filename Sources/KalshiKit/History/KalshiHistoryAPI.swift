import Foundation
import StorageKit

/// The Kalshi history endpoints the ingest reads, over one `KalshiHTTPClient` (which signs every
/// request when it has a signer, rate-limits and retries). Paths are relative to the API root.
public struct KalshiHistoryAPI: Sendable {
    public let client: KalshiHTTPClient

    public init(client: KalshiHTTPClient) { self.client = client }

    /// One page of a cursor-paginated list.
    public struct Page: Sendable {
        public var items: [OrderedJSON]
        /// The cursor of the next page; `nil` at the end.
        public var cursor: String?
    }

    /// `GET /historical/cutoff`.
    public func cutoff() async throws(KalshiAPIError) -> HistoricalCutoff {
        let response = try await client.get("/historical/cutoff")
        func time(_ key: String) throws(KalshiAPIError) -> Int64 {
            guard let text = response.document[key]?.stringValue, let t = UTCTime.parseEpochSeconds(text) else {
                throw KalshiAPIError(.unexpectedShape, request: "GET /historical/cutoff", "\(key) is missing or not an ISO 8601 time",
                                     status: response.status, excerpt: KalshiAPIError.excerpt(of: response.body))
            }
            return t
        }
        return HistoricalCutoff(marketSettled: try time("market_settled_ts"), tradesCreated: try time("trades_created_ts"))
    }

    /// One page of `path` whose items are the array member `itemsKey`.
    public func page(_ path: String, itemsKey: String, query: [URLQueryItem]) async throws(KalshiAPIError) -> Page {
        let response = try await client.get(path, query: query)
        guard let items = response.document[itemsKey]?.arrayValue else {
            throw KalshiAPIError(.unexpectedShape, request: "GET \(path)", "no \"\(itemsKey)\" array in the response",
                                 status: response.status, excerpt: KalshiAPIError.excerpt(of: response.body))
        }
        let cursor = response.document["cursor"]?.stringValue
        return Page(items: items, cursor: cursor.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The candlesticks of one market over `[start, end]` (live or historical endpoint).
    public func candlesticks(series: String, ticker: String, historical: Bool, periodMinutes: Int64,
                             start: Int64, end: Int64) async throws(KalshiAPIError) -> [OrderedJSON] {
        let path = historical ? "/historical/markets/\(ticker)/candlesticks" : "/series/\(series)/markets/\(ticker)/candlesticks"
        let response = try await client.get(path, query: [
            URLQueryItem(name: "start_ts", value: String(start)), URLQueryItem(name: "end_ts", value: String(end)),
            URLQueryItem(name: "period_interval", value: String(periodMinutes)),
        ])
        guard let items = response.document["candlesticks"]?.arrayValue else {
            throw KalshiAPIError(.unexpectedShape, request: "GET \(path)", "no \"candlesticks\" array in the response",
                                 status: response.status, excerpt: KalshiAPIError.excerpt(of: response.body))
        }
        return items
    }
}
