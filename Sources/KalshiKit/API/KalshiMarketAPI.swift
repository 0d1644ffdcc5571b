import Foundation
import Logging
import StorageKit

/// The public (unauthenticated) market-data calls the daemons use, over a `KalshiHTTPClient`.
public struct KalshiMarketAPI: Sendable {
    /// What `GET /events/{event_ticker}` answered.
    public enum EventResult: Sendable {
        /// The event and its markets.
        case event(EventSnapshot)
        /// 404: no such event — between listings, or before Kalshi opens the next one. A clear,
        /// healthy answer, not a failure.
        case noOpenEvent(ticker: String)
    }

    public let client: KalshiHTTPClient

    public init(client: KalshiHTTPClient) { self.client = client }

    /// `GET /events/{ticker}`; `second` is the capture second given to the snapshots.
    public func event(_ ticker: String, second: Int64) async throws(KalshiAPIError) -> EventResult {
        let path = "/events/" + (ticker.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ticker)
        let response: KalshiResponse
        do throws(KalshiAPIError) {
            response = try await client.get(path)
        } catch {
            if error.code == .notFound { return .noOpenEvent(ticker: ticker) }
            throw error
        }
        return .event(try EventSnapshot.decode(response.document, second: second, request: "GET \(path)"))
    }
}
