import Foundation

/// Adds headers to each outgoing request, attempt by attempt (a retry gets fresh headers). This is
/// where request signing plugs in later (`KALSHI-ACCESS-KEY`, `-TIMESTAMP`, `-SIGNATURE` over
/// `timestamp + METHOD + path`); the public market endpoints need none.
public protocol KalshiRequestHook: Sendable {
    /// Headers for one attempt. `path` includes the API prefix (`/trade-api/v2/events/...`) and no
    /// query string, as Kalshi's signature covers it. Throwing fails the request with `.requestHook`.
    func headers(method: String, path: String, at date: Date) async throws -> [(name: String, value: String)]
}
