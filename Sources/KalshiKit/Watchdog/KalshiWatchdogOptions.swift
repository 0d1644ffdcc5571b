import Foundation
import ServiceKit

/// `services.kalshi_api_watchdog.options`, read strictly (unknown keys and bad values exit 78):
///
/// ```json
/// "options": {
///   "base_url": "https://api.elections.kalshi.com/trade-api/v2",
///   "series": ["KXBTCD"],
///   "poll_interval_seconds": 1,
///   "request_timeout_ms": 2000,
///   "max_attempts": 3,
///   "reads_per_second": 20,
///   "health_window_polls": 5
/// }
/// ```
public struct KalshiWatchdogOptions: Sendable, Equatable {
    public var baseURL: URL
    /// Series whose current hourly event is polled (`KXBTCD`, `KXBTC`...).
    public var series: [String]
    /// At least one second: snapshots are keyed by their capture second.
    public var pollInterval: Duration
    public var requestTimeout: Duration
    /// Attempts per request, the first included.
    public var maxAttempts: Int
    public var readsPerSecond: Double
    /// The daemon is healthy while a snapshot was stored (or "no open event" answered) within this
    /// many poll intervals (and at least 10 s, twice the spool's write timeout).
    public var healthWindowPolls: Int

    public init(baseURL: URL = KalshiClientOptions.productionBaseURL, series: [String] = ["KXBTCD"],
                pollInterval: Duration = .seconds(1), requestTimeout: Duration = .seconds(2), maxAttempts: Int = 3,
                readsPerSecond: Double = 20, healthWindowPolls: Int = 5) {
        self.baseURL = baseURL
        self.series = series
        self.pollInterval = pollInterval
        self.requestTimeout = requestTimeout
        self.maxAttempts = maxAttempts
        self.readsPerSecond = readsPerSecond
        self.healthWindowPolls = healthWindowPolls
    }

    /// Reads the options of a service entry; throws `ConfigError` naming the JSON path.
    public static func parse(_ value: JSONValue, file: String) throws -> KalshiWatchdogOptions {
        let node = ConfigNode(value: value, path: "$.services.kalshi_api_watchdog.options", file: file)
        var options = KalshiWatchdogOptions()
        if let n = try node.optional("base_url") {
            let text = try n.nonEmptyString()
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
                  url.host != nil, url.query == nil else {
                throw n.error(.invalidValue, "expected an http(s) URL without a query, found \"\(text)\"")
            }
            options.baseURL = url
        }
        if let n = try node.optional("series") {
            let items = try n.array()
            guard !items.isEmpty else { throw n.error(.invalidValue, "expected at least one series") }
            var series: [String] = []
            for item in items {
                let s = try item.nonEmptyString()
                guard s.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }) else {
                    throw item.error(.invalidValue, "a series ticker is upper-case letters and digits (\"KXBTCD\"), found \"\(s)\"")
                }
                guard !series.contains(s) else { throw item.error(.invalidValue, "series \"\(s)\" listed twice") }
                series.append(s)
            }
            options.series = series
        }
        if let n = try node.optional("poll_interval_seconds") {
            let seconds = try n.number(in: 1...3600)
            options.pollInterval = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        if let n = try node.optional("request_timeout_ms") {
            options.requestTimeout = .milliseconds(try n.integer(in: 50...60_000))
        }
        if let n = try node.optional("max_attempts") {
            options.maxAttempts = Int(try n.integer(in: 1...10))
        }
        if let n = try node.optional("reads_per_second") {
            options.readsPerSecond = try n.number(in: 0.1...1000)
        }
        if let n = try node.optional("health_window_polls") {
            options.healthWindowPolls = Int(try n.integer(in: 2...1000))
        }
        try node.finish()
        return options
    }

    /// The HTTP client settings these options imply.
    public var clientOptions: KalshiClientOptions {
        KalshiClientOptions(baseURL: baseURL, requestTimeout: requestTimeout,
                            backoff: RetryBackoff(maxAttempts: maxAttempts), readsPerSecond: readsPerSecond)
    }
}
