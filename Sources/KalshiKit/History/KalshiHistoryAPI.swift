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

    /// One page of `path` read straight from the response bytes (`KalshiListBytes`): `fast` reads
    /// an item in place or returns `nil` to have `tree` decode it from its parsed tree.
    func pageRecords<R: StorableRecord>(_ path: String, itemsKey: String, query: [URLQueryItem],
                                        fast: (inout JSONByteReader) throws(OrderedJSONError) -> R?,
                                        tree: (OrderedJSON) throws -> R) async throws(KalshiAPIError) -> KalshiListBytes<R> {
        try await client.get(path, query: query) { data, status, label throws(KalshiAPIError) in
            try KalshiListBytes(data, itemsKey: itemsKey, status: status, label: label, fast: fast, tree: tree)
        }
    }

    /// The candlesticks of one market over `[start, end]` (live or historical endpoint).
    public func candlesticks(series: String, ticker: String, historical: Bool, periodMinutes: Int64,
                             start: Int64, end: Int64) async throws(KalshiAPIError) -> [OrderedJSON] {
        let (path, query) = Self.candlesticksRequest(series: series, ticker: ticker, historical: historical,
                                                     periodMinutes: periodMinutes, start: start, end: end)
        let response = try await client.get(path, query: query)
        guard let items = response.document["candlesticks"]?.arrayValue else {
            throw KalshiAPIError(.unexpectedShape, request: "GET \(path)", "no \"candlesticks\" array in the response",
                                 status: response.status, excerpt: KalshiAPIError.excerpt(of: response.body))
        }
        return items
    }

    /// The same candlesticks as records, read straight from the response bytes (`KalshiListBytes`,
    /// no JSON tree): the valid ones, and the reason for each object that is not.
    func candlestickRecords(series: String, ticker: String, historical: Bool, periodMinutes: Int64,
                            start: Int64, end: Int64) async throws(KalshiAPIError) -> KalshiListBytes<KalshiCandlestick> {
        let (path, query) = Self.candlesticksRequest(series: series, ticker: ticker, historical: historical,
                                                     periodMinutes: periodMinutes, start: start, end: end)
        return try await client.get(path, query: query) { data, status, label throws(KalshiAPIError) in
            try KalshiListBytes(data, itemsKey: "candlesticks", status: status, label: label,
                                fast: { reader throws(OrderedJSONError) in
                                    try KalshiCandlestickBytes.candlestick(&reader, ticker: ticker, periodMinutes: periodMinutes)
                                },
                                tree: { try KalshiHistoryDecoder.candlestick($0, ticker: ticker, periodMinutes: periodMinutes) })
        }
    }

    private static func candlesticksRequest(series: String, ticker: String, historical: Bool, periodMinutes: Int64,
                                            start: Int64, end: Int64) -> (path: String, query: [URLQueryItem]) {
        let path = historical ? "/historical/markets/\(ticker)/candlesticks" : "/series/\(series)/markets/\(ticker)/candlesticks"
        return (path, [
            URLQueryItem(name: "start_ts", value: String(start)), URLQueryItem(name: "end_ts", value: String(end)),
            URLQueryItem(name: "period_interval", value: String(periodMinutes)),
        ])
    }
}
