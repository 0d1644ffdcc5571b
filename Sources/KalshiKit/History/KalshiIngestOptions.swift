import Foundation
import ServiceKit
import StorageKit

/// `services.kalshi_historical_ingest.options`, read strictly (unknown keys and bad values exit 78):
///
/// ```json
/// "options": {
///   "base_url": "https://api.elections.kalshi.com/trade-api/v2",
///   "series": ["KXBTCD"],
///   "start_date": "2025-01-01",
///   "interval_seconds": 300,
///   "page_limit": 1000,
///   "account": true,
///   "markets": true,
///   "candle_periods": [1, 60],
///   "key_id": "…",
///   "private_key_credential": "kalshi-private-key",
///   "request_timeout_ms": 10000,
///   "max_attempts": 5,
///   "reads_per_second": 20,
///   "market_concurrency": 4
/// }
/// ```
/// `key_id` and one of `private_key_file` (absolute path) / `private_key_credential` (systemd
/// credential name) are required while `account` is on.
public struct KalshiIngestOptions: Sendable, Equatable {
    public var baseURL: URL
    public var series: [String]
    /// First run backfills from this UTC midnight (epoch seconds).
    public var startTime: Int64
    /// Time between the starts of two cycles.
    public var interval: Duration
    /// Items per page (Kalshi allows 1...1000).
    public var pageLimit: Int
    /// Ingest fills, settlements and positions (authenticated).
    public var account: Bool
    /// Ingest settled markets, candlesticks and trades of `series` (public).
    public var markets: Bool
    /// Candlestick periods in minutes (1, 60, 1440).
    public var candlePeriods: [Int64]
    public var keyID: String?
    public var keySource: KalshiKeySource?
    public var requestTimeout: Duration
    public var maxAttempts: Int
    public var readsPerSecond: Double
    /// Per-market streams (candlesticks, trades) worked on at once, each committing on its own
    /// PostgreSQL connection.
    public var marketConcurrency: Int

    public init(baseURL: URL = KalshiClientOptions.productionBaseURL, series: [String] = ["KXBTCD"],
                startTime: Int64 = 1_735_689_600, interval: Duration = .seconds(300), pageLimit: Int = 1000,
                account: Bool = true, markets: Bool = true, candlePeriods: [Int64] = [1, 60], keyID: String? = nil,
                keySource: KalshiKeySource? = nil, requestTimeout: Duration = .seconds(10), maxAttempts: Int = 5,
                readsPerSecond: Double = 20, marketConcurrency: Int = 4) {
        self.baseURL = baseURL
        self.series = series
        self.startTime = startTime
        self.interval = interval
        self.pageLimit = pageLimit
        self.account = account
        self.markets = markets
        self.candlePeriods = candlePeriods
        self.keyID = keyID
        self.keySource = keySource
        self.requestTimeout = requestTimeout
        self.maxAttempts = maxAttempts
        self.readsPerSecond = readsPerSecond
        self.marketConcurrency = marketConcurrency
    }

    static let path = "$.services.kalshi_historical_ingest.options"

    /// Reads the options of the service entry; throws `ConfigError` naming the JSON path.
    public static func parse(_ value: JSONValue, file: String) throws -> KalshiIngestOptions {
        let node = ConfigNode(value: value, path: path, file: file)
        var o = KalshiIngestOptions()
        if let n = try node.optional("base_url") { o.baseURL = try n.kalshiBaseURL() }
        if let n = try node.optional("series") { o.series = try n.kalshiSeriesList() }
        if let n = try node.optional("start_date") {
            let text = try n.nonEmptyString()
            guard let civil = CivilDateTime.parse(text + "T00:00:00") else {
                throw n.error(.invalidValue, "expected a date YYYY-MM-DD (UTC), found \"\(text)\"")
            }
            o.startTime = civil.epochSecondsAsUTC
        }
        if let n = try node.optional("interval_seconds") {
            o.interval = .seconds(try n.integer(in: 10...86_400))
        }
        if let n = try node.optional("page_limit") {
            o.pageLimit = Int(try n.integer(in: 1...1000))
        }
        if let n = try node.optional("account") { o.account = try n.bool() }
        if let n = try node.optional("markets") { o.markets = try n.bool() }
        if let n = try node.optional("candle_periods") {
            var periods: [Int64] = []
            for item in try n.array() {
                let p = try item.integer()
                guard [1, 60, 1440].contains(p) else { throw item.error(.invalidValue, "a candle period is 1, 60 or 1440 minutes, found \(p)") }
                guard !periods.contains(p) else { throw item.error(.invalidValue, "period \(p) listed twice") }
                periods.append(p)
            }
            o.candlePeriods = periods
        }
        if let n = try node.optional("key_id") { o.keyID = try n.nonEmptyString() }
        let file = try node.optional("private_key_file")
        let credential = try node.optional("private_key_credential")
        if let file, credential != nil {
            throw file.error(.invalidValue, "set only one of \"private_key_file\" and \"private_key_credential\"")
        }
        if let file { o.keySource = .file(try file.absolutePath()) }
        if let credential {
            let name = try credential.nonEmptyString()
            guard !name.contains("/") else { throw credential.error(.invalidValue, "a credential name, not a path: \"\(name)\"") }
            o.keySource = .credential(name)
        }
        if let n = try node.optional("request_timeout_ms") { o.requestTimeout = .milliseconds(try n.integer(in: 50...120_000)) }
        if let n = try node.optional("max_attempts") { o.maxAttempts = Int(try n.integer(in: 1...20)) }
        if let n = try node.optional("reads_per_second") { o.readsPerSecond = try n.number(in: 0.1...100_000) }
        if let n = try node.optional("market_concurrency") { o.marketConcurrency = Int(try n.integer(in: 1...16)) }
        try node.finish(allowed: ["account", "base_url", "candle_periods", "interval_seconds", "key_id", "market_concurrency", "markets", "max_attempts",
                                  "page_limit", "private_key_credential", "private_key_file", "reads_per_second",
                                  "request_timeout_ms", "series", "start_date"])
        if o.account {
            guard o.keyID != nil else {
                throw node.error(.missingKey, "\"key_id\" is required while \"account\" is true (the account endpoints are signed)")
            }
            guard o.keySource != nil else {
                throw node.error(.missingKey, "\"private_key_file\" or \"private_key_credential\" is required while \"account\" is true")
            }
        }
        guard o.account || o.markets else { throw node.error(.invalidValue, "\"account\" and \"markets\" are both false: nothing to ingest") }
        return o
    }

    /// The HTTP client settings these options imply.
    public var clientOptions: KalshiClientOptions {
        KalshiClientOptions(baseURL: baseURL, requestTimeout: requestTimeout,
                            backoff: RetryBackoff(maxAttempts: maxAttempts), readsPerSecond: readsPerSecond)
    }
}
