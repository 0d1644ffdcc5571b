import Foundation
import StorageKit
@testable import KalshiKit

/// Payloads in Kalshi's wire format, shaped exactly like the OpenAPI spec's `GetEventResponse`,
/// `Market` and `ErrorResponse` (the contract test validates every one of them against the spec).
enum KalshiFixtures {
    /// Which price/count fields a market carries.
    enum Form: String, CaseIterable, Sendable {
        /// Current API: `*_dollars` and `*_fp` strings only.
        case fixedPoint = "fixed_point"
        /// Transitional: both the fixed-point strings and the legacy integers (matching).
        case both
        /// Old API: integer cents and contracts only, no fixed-point members.
        case legacyCents = "legacy_cents"
    }

    /// A market quote in cents and contracts, rendered in either form.
    struct Quote: Sendable {
        var yesBid = 12, yesAsk = 14, noBid = 86, noAsk = 88, lastPrice = 13
        var volume = 1520, volume24h = 310, openInterest = 977
    }

    static func dollars(_ cents: Int) -> String { DollarAmount(cents: Int64(cents)).description }
    static func count(_ n: Int) -> String { ContractCount(contracts: Int64(n)).description }
    static func json(_ s: String) -> String { OrderedJSON.string(s).compactText }

    /// The ISO-8601 UTC text of an epoch second, as Kalshi sends it.
    static func time(_ t: Int64) -> String { UTCTime.iso8601(epochSeconds: t) }

    /// One `Market` object.
    static func market(event: EventTicker, strike: String, form: Form, quote: Quote = Quote(), status: String = "active") -> String {
        let close = event.closeEpochSeconds
        let ticker = "\(event)-T\(strike)"
        var fields: [String] = [
            "\"ticker\": \(json(ticker))",
            "\"event_ticker\": \(json(event.description))",
            "\"market_type\": \"binary\"",
            "\"title\": \(json("Bitcoin price today at \(close)?"))",
            "\"subtitle\": \(json("$\(strike) or above"))",
            "\"yes_sub_title\": \(json("$\(strike) or above"))",
            "\"no_sub_title\": \(json("$\(strike) or above"))",
            "\"created_time\": \(json(time(close - 7200)))",
            "\"updated_time\": \(json(time(close - 7200)))",
            "\"open_time\": \(json(time(close - 3600)))",
            "\"close_time\": \(json(time(close)))",
            "\"expected_expiration_time\": \(json(time(close + 300)))",
            "\"expiration_time\": \(json(time(close + 7 * 86400)))",
            "\"latest_expiration_time\": \(json(time(close + 7 * 86400)))",
            "\"settlement_timer_seconds\": 60",
            "\"status\": \(json(status))",
            "\"response_price_units\": \"usd_cent\"",
        ]
        if form != .legacyCents {
            fields += [
                "\"notional_value_dollars\": \"1.0000\"",
                "\"yes_bid_dollars\": \(json(dollars(quote.yesBid)))",
                "\"yes_bid_size_fp\": \"250.00\"",
                "\"yes_ask_dollars\": \(json(dollars(quote.yesAsk)))",
                "\"yes_ask_size_fp\": \"100.00\"",
                "\"no_bid_dollars\": \(json(dollars(quote.noBid)))",
                "\"no_ask_dollars\": \(json(dollars(quote.noAsk)))",
                "\"last_price_dollars\": \(json(dollars(quote.lastPrice)))",
                "\"previous_yes_bid_dollars\": \(json(dollars(quote.yesBid)))",
                "\"previous_yes_ask_dollars\": \(json(dollars(quote.yesAsk)))",
                "\"previous_price_dollars\": \(json(dollars(quote.lastPrice)))",
                "\"volume_fp\": \(json(count(quote.volume)))",
                "\"volume_24h_fp\": \(json(count(quote.volume24h)))",
                "\"liquidity_dollars\": \"0.0000\"",
                "\"open_interest_fp\": \(json(count(quote.openInterest)))",
            ]
        }
        if form != .fixedPoint {
            fields += [
                "\"yes_bid\": \(quote.yesBid)", "\"yes_ask\": \(quote.yesAsk)", "\"no_bid\": \(quote.noBid)",
                "\"no_ask\": \(quote.noAsk)", "\"last_price\": \(quote.lastPrice)", "\"volume\": \(quote.volume)",
                "\"volume_24h\": \(quote.volume24h)", "\"open_interest\": \(quote.openInterest)", "\"liquidity\": 0",
            ]
        }
        fields += [
            "\"result\": \"\"",
            "\"can_close_early\": true",
            "\"fractional_trading_enabled\": false",
            "\"expiration_value\": \"\"",
            "\"early_close_condition\": \"This market will close and expire early if the event occurs.\"",
            "\"tick_size\": 1",
            "\"strike_type\": \"greater\"",
            "\"floor_strike\": \(strike)",
            "\"rules_primary\": \(json("If the price of Bitcoin is above \(strike) at \(time(close)), then the market resolves to Yes."))",
            "\"rules_secondary\": \"\"",
            "\"price_level_structure\": \"linear_cent\"",
            "\"price_ranges\": [{\"start\": \"0.0000\", \"end\": \"1.0000\", \"step\": \"0.0100\"}]",
        ]
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// The strikes of an event with `n` markets (`116999.99`, `117249.99`, ...).
    static func strikes(_ n: Int) -> [String] {
        (0..<n).map { "\(116_999 + 250 * $0).99" }
    }

    /// A `GetEventResponse` body.
    static func eventResponse(_ event: EventTicker, markets n: Int = 3, form: Form = .fixedPoint, quote: Quote = Quote()) -> String {
        let markets = strikes(n).map { market(event: event, strike: $0, form: form, quote: quote) }
        return eventResponse(event, marketObjects: markets)
    }

    /// A `GetEventResponse` body around given market objects.
    static func eventResponse(_ event: EventTicker, marketObjects: [String]) -> String {
        let close = event.closeEpochSeconds
        let c = NewYorkTime.civil(epochSeconds: close)
        let hour = c.hour % 12 == 0 ? 12 : c.hour % 12
        let title = "Bitcoin price on \(EventTicker.months[c.month - 1].capitalized) \(c.day), \(c.year) at \(hour)\(c.hour < 12 ? "am" : "pm") EDT?"
        return """
            {"event": {"event_ticker": \(json(event.description)), "series_ticker": \(json(event.series)), \
            "sub_title": \(json("On \(time(close))")), "title": \(json(title)), "collateral_return_type": "", \
            "mutually_exclusive": false, "category": "Crypto", "strike_date": \(json(time(close))), \
            "available_on_brokers": true, "product_metadata": null, "last_updated_ts": \(json(time(close - 7200)))}, \
            "markets": [\(marketObjects.joined(separator: ", "))]}
            """
    }

    /// An `ErrorResponse` body, wrapped in `{"error": ...}` as the API sends it.
    static func errorBody(code: String, message: String) -> String {
        "{\"error\": {\"code\": \(json(code)), \"message\": \(json(message)), \"service\": \"exchange\"}}"
    }

    /// The bare `ErrorResponse` object (what the spec's schema describes).
    static func errorObject(code: String, message: String) -> String {
        "{\"code\": \(json(code)), \"message\": \(json(message)), \"service\": \"exchange\"}"
    }

    static let htmlErrorPage = """
        <html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>
        """
}
