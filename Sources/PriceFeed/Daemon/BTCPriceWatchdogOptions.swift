import Foundation
import ServiceKit

/// The service-specific settings under `services.btc_price_watchdog.options`. Every key is
/// optional (the defaults are the production endpoints and the legacy figures); an unknown key, a
/// wrong type or an out-of-range value is a `ConfigError` naming its JSON path, so the daemon exits
/// 78 instead of running with a typo.
public struct BTCPriceWatchdogOptions: Sendable, Equatable {
    /// Coinbase Exchange websocket (`ws://` is accepted for local fixtures).
    public var websocketURL = "wss://ws-feed.exchange.coinbase.com"
    /// The product subscribed to and polled.
    public var productId = "BTC-USD"
    /// No websocket message for this long → reconnect (legacy: 10 s).
    public var silenceTimeoutSeconds: Double = 10
    /// Least time between two reads of the websocket, in milliseconds: messages arriving meanwhile
    /// are read together by one wake-up (less CPU); the socket is also read right after each whole
    /// second, which is closed 3 ms after it ends. 0 reads every message as it arrives.
    public var readIntervalMilliseconds = CoinbaseTickerFeed.Configuration.defaultReadIntervalMilliseconds
    /// Coinbase spot REST base URL (first fallback).
    public var coinbaseSpotURL = URL(string: "https://api.coinbase.com")!
    /// Kraken REST base URL (ticker fallback and the hourly OHLC for price changes).
    public var krakenURL = URL(string: "https://api.kraken.com")!
    /// Coinbase Exchange REST base URL (recent trades, for gap repair).
    public var coinbaseExchangeURL = URL(string: "https://api.exchange.coinbase.com")!
    /// Seconds a price is carried forward without a new trade before the feed counts as stale.
    public var staleAfterSeconds: Int64 = 30
    /// Largest move from the last accepted price taken without confirmation (0.05 = 5 %).
    public var maxJumpFraction: Double = 0.05
    /// The most recent seconds of a hole that gap repair fills; older missing seconds are logged as gaps.
    public var gapRepairMaxSeconds: Int64 = 3_600
    /// Seconds between two Kraken price-change samples (legacy: 60).
    public var priceChangeIntervalSeconds: Int64 = 60
    /// Healthy while a row was stored within this many seconds (the watchdog ping depends on it).
    public var healthMaxAgeSeconds: Int64 = 10

    public init() {}

    /// The JSON keys, for error messages.
    static let keys = [
        "websocket_url", "product_id", "silence_timeout_seconds", "read_interval_milliseconds", "coinbase_spot_url", "kraken_url",
        "coinbase_exchange_url", "stale_after_seconds", "max_jump_fraction", "gap_repair_max_seconds",
        "price_change_interval_seconds", "health_max_age_seconds",
    ]

    /// Parses the options of a service entry strictly.
    public init(_ service: ServiceConfig, file: String) throws {
        let node = ConfigNode(value: service.options, path: "$.services.\(service.name.rawValue).options", file: file)
        if let n = try node.optional("websocket_url") {
            let text = try n.nonEmptyString()
            guard let url = URL(string: text), url.scheme == "ws" || url.scheme == "wss", url.host != nil else {
                throw n.error(.invalidValue, "expected a ws:// or wss:// URL, found \"\(text)\"")
            }
            websocketURL = text
        }
        if let n = try node.optional("product_id") {
            let text = try n.nonEmptyString()
            guard text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw n.error(.invalidValue, "expected a product id like \"BTC-USD\", found \"\(text)\"")
            }
            productId = text
        }
        if let n = try node.optional("silence_timeout_seconds") { silenceTimeoutSeconds = try n.number(in: 0.1...600) }
        // At most 100 ms: messages (and the health of the feed) should not wait longer than that.
        if let n = try node.optional("read_interval_milliseconds") { readIntervalMilliseconds = try n.integer(in: 0...100) }
        if let n = try node.optional("coinbase_spot_url") { coinbaseSpotURL = try Self.httpURL(n) }
        if let n = try node.optional("kraken_url") { krakenURL = try Self.httpURL(n) }
        if let n = try node.optional("coinbase_exchange_url") { coinbaseExchangeURL = try Self.httpURL(n) }
        if let n = try node.optional("stale_after_seconds") { staleAfterSeconds = try n.integer(in: 0...3_600) }
        if let n = try node.optional("max_jump_fraction") { maxJumpFraction = try n.number(in: 0.0001...1) }
        if let n = try node.optional("gap_repair_max_seconds") { gapRepairMaxSeconds = try n.integer(in: 0...86_400) }
        if let n = try node.optional("price_change_interval_seconds") { priceChangeIntervalSeconds = try n.integer(in: 1...3_600) }
        if let n = try node.optional("health_max_age_seconds") { healthMaxAgeSeconds = try n.integer(in: 2...600) }
        try node.finish(allowed: Self.keys)
    }

    private static func httpURL(_ node: ConfigNode) throws -> URL {
        let text = try node.nonEmptyString()
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw node.error(.invalidValue, "expected an http:// or https:// base URL, found \"\(text)\"")
        }
        return url
    }
}
