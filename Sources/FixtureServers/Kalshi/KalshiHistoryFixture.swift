import Foundation
import Synchronization

/// Serves a `KalshiHistoryDataset` on a `FixtureServer` in Kalshi's wire format under
/// `/trade-api/v2`: the historical cutoff, fills/settlements/positions (signed requests only: a
/// missing or bad signature gets 401 as the real API answers), settled markets, candlesticks and
/// trades, live and historical, with cursor pagination. Faults can be scripted: every Nth request
/// a 429 with `Retry-After`, every Mth a 503, and 403 for chosen paths.
public final class KalshiHistoryFixture: Sendable {
    public let dataset: KalshiHistoryDataset
    public let verifier: KalshiSignatureVerifier?
    public static let prefix = "/trade-api/v2"

    /// Injected failures.
    public struct Faults: Sendable {
        /// Every Nth request (counting all) answers 429 with `Retry-After: 0`.
        public var rateLimitEvery: Int?
        /// Every Nth request answers 503.
        public var serverErrorEvery: Int?
        /// Paths (after `/trade-api/v2`) answered with 403.
        public var forbiddenPaths: Set<String>
        /// Added to every answer.
        public var delay: Duration?
        public init(rateLimitEvery: Int? = nil, serverErrorEvery: Int? = nil, forbiddenPaths: Set<String> = [], delay: Duration? = nil) {
            self.rateLimitEvery = rateLimitEvery
            self.serverErrorEvery = serverErrorEvery
            self.forbiddenPaths = forbiddenPaths
            self.delay = delay
        }
    }

    /// What the fixture saw.
    public struct Counters: Sendable, Equatable {
        public var requests = 0
        public var verifiedSignatures = 0
        public var rejectedSignatures = 0
        public var rateLimited = 0
        public var serverErrors = 0
        public var forbidden = 0
    }

    private let faults: Mutex<Faults>
    private let state = Mutex(Counters())

    public init(dataset: KalshiHistoryDataset, verifier: KalshiSignatureVerifier?, faults: Faults = Faults()) {
        self.dataset = dataset
        self.verifier = verifier
        self.faults = Mutex(faults)
    }

    public var counters: Counters { state.withLock { $0 } }
    public func setFaults(_ new: Faults) { faults.withLock { $0 = new } }

    /// Installs this fixture as the server's responder.
    public func install(on server: FixtureServer) {
        server.setResponder { [self] request in self.respond(request) }
    }

    /// The API root for clients: `http://127.0.0.1:PORT/trade-api/v2`.
    public static func baseURL(_ server: FixtureServer) -> String { server.httpBaseURL + prefix }

    func respond(_ request: HTTPFixtureRequest) -> HTTPFixtureResponse? {
        guard request.path.hasPrefix(Self.prefix) else { return nil }
        let path = String(request.path.dropFirst(Self.prefix.count))
        let f = faults.withLock { $0 }
        let n = state.withLock { s -> Int in s.requests += 1; return s.requests }
        func answer(_ r: HTTPFixtureResponse) -> HTTPFixtureResponse {
            var r = r
            r.delay = f.delay
            return r
        }
        // Signature first, as the real API: a signed request with a bad signature is refused anywhere.
        let authenticated = path.hasPrefix("/portfolio/") || path == "/historical/fills"
        if let verifier, authenticated || request.headers["kalshi-access-signature"] != nil {
            if let problem = verifier.problem(method: request.method, path: request.path, headers: request.headers) {
                state.withLock { $0.rejectedSignatures += 1 }
                return answer(.json(#"{"error": {"code": "authentication_error", "message": "\#(problem)"}}"#, status: 401))
            }
            state.withLock { $0.verifiedSignatures += 1 }
        } else if authenticated {
            return answer(.json(#"{"error": {"code": "authentication_error", "message": "no verifier configured"}}"#, status: 401))
        }
        if let every = f.rateLimitEvery, n % every == 0 {
            state.withLock { $0.rateLimited += 1 }
            return answer(.json(#"{"error": {"code": "too_many_requests", "message": "slow down"}}"#, status: 429, headers: [("Retry-After", "0")]))
        }
        if let every = f.serverErrorEvery, n % every == 0 {
            state.withLock { $0.serverErrors += 1 }
            return answer(.json(#"{"error": {"code": "internal_server_error", "message": "try again"}}"#, status: 503))
        }
        if f.forbiddenPaths.contains(path) {
            state.withLock { $0.forbidden += 1 }
            return answer(.json(#"{"error": {"code": "forbidden", "message": "not allowed for this key"}}"#, status: 403))
        }
        let query = request.queryParameters
        guard let body = route(path, query) else {
            return answer(.json(#"{"error": {"code": "not_found", "message": "no route \#(path)"}}"#, status: 404))
        }
        if body.hasPrefix("!400 ") {
            return answer(.json(#"{"error": {"code": "bad_request", "message": "\#(body.dropFirst(5))"}}"#, status: 400))
        }
        return answer(.json(body))
    }

    /// One page of `indices` from the cursor; the cursor is the next offset as text.
    static func page(_ indices: [Int], _ q: [String: String]) -> (items: ArraySlice<Int>, next: String?)? {
        let limit = min(1000, max(1, Int(q["limit"] ?? "100") ?? 100))
        let offset: Int
        if let c = q["cursor"], !c.isEmpty {
            guard c.hasPrefix("o"), let o = Int(c.dropFirst()), o >= 0, o <= indices.count else { return nil }
            offset = o
        } else {
            offset = 0
        }
        let end = min(indices.count, offset + limit)
        return (indices[offset..<end], end < indices.count ? "o\(end)" : nil)
    }

    /// The body for a path, `nil` for 404, `"!400 message"` for a bad request.
    public func route(_ path: String, _ q: [String: String]) -> String? {
        let d = dataset
        let minTs = q["min_ts"].flatMap { Int64($0) } ?? Int64.min
        let maxTs = q["max_ts"].flatMap { Int64($0) } ?? Int64.max
        func paged(_ key: String, _ indices: [Int], extra: String = "", _ item: (Int) -> String) -> String {
            guard let page = Self.page(indices, q) else { return "!400 bad cursor" }
            return KalshiHistoryPayloads.list(key, page.items.map(item), cursor: page.next, extra: extra)
        }
        switch path {
        case "/historical/cutoff":
            return KalshiHistoryPayloads.cutoff(d)
        case "/portfolio/fills":
            let idx = (0..<d.fills).filter { let t = d.fillTime($0); return t >= d.tradesCutoff && t >= minTs && t <= maxTs }
            return paged("fills", idx) { KalshiHistoryPayloads.fill(d, $0) }
        case "/historical/fills":
            let idx = (0..<d.fills).filter { let t = d.fillTime($0); return t < d.tradesCutoff && t <= maxTs }
            return paged("fills", idx) { KalshiHistoryPayloads.fill(d, $0) }
        case "/portfolio/settlements":
            let idx = (0..<d.settlements).filter { let t = d.settlementTime(account: $0); return t >= minTs && t <= maxTs }
            return paged("settlements", idx) { KalshiHistoryPayloads.settlement(d, $0) }
        case "/portfolio/positions":
            return paged("market_positions", Array(0..<d.positions), extra: "\"event_positions\": [], ") { KalshiHistoryPayloads.position(d, $0) }
        case "/markets":
            guard q["series_ticker"] == d.series else { return KalshiHistoryPayloads.list("markets", [], cursor: nil) }
            let low = q["min_settled_ts"].flatMap { Int64($0) } ?? Int64.min
            let high = q["max_settled_ts"].flatMap { Int64($0) } ?? Int64.max
            let idx = (0..<d.markets).filter { !d.isHistoricalMarket($0) && d.settlementTime($0) >= low && d.settlementTime($0) <= high }
            return paged("markets", idx) { KalshiHistoryPayloads.market(d, $0) }
        case "/historical/markets":
            guard q["series_ticker"] == d.series else { return KalshiHistoryPayloads.list("markets", [], cursor: nil) }
            return paged("markets", (0..<d.markets).filter(d.isHistoricalMarket)) { KalshiHistoryPayloads.market(d, $0) }
        case "/markets/trades", "/historical/trades":
            guard let ticker = q["ticker"], let i = d.marketIndex(ticker) else { return KalshiHistoryPayloads.list("trades", [], cursor: nil) }
            let historical = path.hasPrefix("/historical")
            let idx = (0..<d.tradesPerMarket).filter {
                let t = d.tradeTime(market: i, $0)
                return (t < d.tradesCutoff) == historical && t >= minTs && t <= maxTs
            }
            return paged("trades", idx) { KalshiHistoryPayloads.trade(d, market: i, $0) }
        default:
            return candlesticks(path, q)
        }
    }

    private func candlesticks(_ path: String, _ q: [String: String]) -> String? {
        let d = dataset
        let parts = path.split(separator: "/").map(String.init)
        let historical: Bool
        let ticker: String
        if parts.count == 5, parts[0] == "series", parts[1] == d.series, parts[2] == "markets", parts[4] == "candlesticks" {
            historical = false
            ticker = parts[3]
        } else if parts.count == 4, parts[0] == "historical", parts[1] == "markets", parts[3] == "candlesticks" {
            historical = true
            ticker = parts[2]
        } else {
            return nil
        }
        guard let i = d.marketIndex(ticker) else { return nil }
        // Like Kalshi: a market past the cutoff is only in the historical set, and vice versa.
        guard d.isHistoricalMarket(i) == historical else { return nil }
        guard let start = q["start_ts"].flatMap({ Int64($0) }), let end = q["end_ts"].flatMap({ Int64($0) }),
              let period = q["period_interval"].flatMap({ Int64($0) }), [1, 60, 1440].contains(period) else {
            return "!400 start_ts, end_ts and period_interval (1, 60, 1440) are required"
        }
        let span = period * 60
        let first = d.openTime(i)
        var items: [String] = []
        for k in 0..<d.candlesticks(market: i, periodMinutes: period) {
            let endOfPeriod = first + Int64(k + 1) * span
            if endOfPeriod < start { continue }
            if endOfPeriod > end { break }
            items.append(KalshiHistoryPayloads.candlestick(d, market: i, periodMinutes: period, k, historical: historical))
        }
        return "{\"ticker\": \"\(ticker)\", \"candlesticks\": [" + items.joined(separator: ", ") + "]}"
    }
}
