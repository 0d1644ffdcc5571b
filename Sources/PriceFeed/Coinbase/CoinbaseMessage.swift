import StorageKit

/// A message on the Coinbase Exchange websocket, as far as the price feed cares.
public enum CoinbaseMessage: Sendable, Hashable {
    /// A trade on the subscribed product.
    case ticker(CoinbaseTicker)
    /// The server's confirmation of the subscription: channel name → product ids.
    case subscriptions([String: [String]])
    /// A `heartbeat` channel message (`last_trade_id`, `sequence`).
    case heartbeat(lastTradeId: Int64?, sequence: Int64?)
    /// An `error` message: `message`, and `reason` when given.
    case error(message: String, reason: String?)
    /// Any other `type` (e.g. `status`, `l2update`); ignored by the feed.
    case unknown(type: String)

    /// The legacy subscribe message, byte for byte.
    public static func subscribeText(productId: String = "BTC-USD") -> String {
        #"{"type":"subscribe","channels":[{"name":"ticker","product_ids":["\#(productId)"]}]}"#
    }

    /// Decodes one text frame. A ticker for another product than `productId`, or with a price that
    /// is not a positive decimal, or without `trade_id`/`sequence`/`time`, throws: the feed counts
    /// and drops it. Never traps on input.
    ///
    /// Parsed with StorageKit's strict byte-level `OrderedJSON` reader rather than
    /// `JSONSerialization`: the feed decodes about a thousand of these a second, and building a
    /// Foundation dictionary of bridged objects per message was most of the daemon's CPU time.
    public static func decode(_ text: some StringProtocol, productId: String = "BTC-USD") throws(PriceFeedError) -> CoinbaseMessage {
        let subject = "coinbase websocket"
        let object: OrderedJSON
        do throws(OrderedJSONError) {
            object = try OrderedJSON.parse(text.utf8)
        } catch {
            throw PriceFeedError(.malformedMessage, subject: subject, "message is not JSON (\(error))",
                                 excerpt: PriceFeedError.excerpt(of: text.utf8))
        }
        func fail(_ code: PriceFeedError.Code, _ why: String) -> PriceFeedError {
            PriceFeedError(code, subject: subject, why, excerpt: PriceFeedError.excerpt(of: text.utf8))
        }
        guard case .object = object else { throw fail(.malformedMessage, "message is not a JSON object") }
        guard let type = object["type"]?.stringValue else { throw fail(.malformedMessage, "message has no string `type`") }
        switch type {
        case "ticker":
            guard let product = object["product_id"]?.stringValue else { throw fail(.malformedMessage, "ticker without product_id") }
            guard product == productId else { throw fail(.wrongProduct, "ticker for \(product), subscribed to \(productId)") }
            guard let priceText = object["price"]?.stringValue else { throw fail(.invalidPrice, "ticker price is missing or not a string") }
            guard let price = USDCents(decimalString: priceText), price.cents > 0 else {
                throw fail(.invalidPrice, "ticker price \(priceText) is not a positive decimal")
            }
            guard let tradeId = integer(object["trade_id"]) else { throw fail(.malformedMessage, "ticker without integer trade_id") }
            guard let sequence = integer(object["sequence"]) else { throw fail(.malformedMessage, "ticker without integer sequence") }
            guard let timeText = object["time"]?.stringValue, let time = TradeTime(rfc3339: timeText) else {
                throw fail(.malformedMessage, "ticker time is missing or not RFC 3339")
            }
            return .ticker(CoinbaseTicker(
                productId: product, price: price, time: time, tradeId: tradeId, sequence: sequence,
                side: object["side"]?.stringValue, lastSize: object["last_size"]?.stringValue,
                bestBid: object["best_bid"]?.stringValue, bestAsk: object["best_ask"]?.stringValue))
        case "subscriptions":
            var channels: [String: [String]] = [:]
            for entry in object["channels"]?.arrayValue ?? [] {
                if let name = entry.stringValue {
                    channels[name, default: []] += []
                } else if let name = entry["name"]?.stringValue {
                    channels[name, default: []] += (entry["product_ids"]?.arrayValue ?? []).compactMap(\.stringValue)
                }
            }
            return .subscriptions(channels)
        case "heartbeat":
            return .heartbeat(lastTradeId: integer(object["last_trade_id"]), sequence: integer(object["sequence"]))
        case "error":
            return .error(message: object["message"]?.stringValue ?? "", reason: object["reason"]?.stringValue)
        default:
            return .unknown(type: type)
        }
    }

    /// An integral JSON number that fits `Int64` (`12`, also `1.2e1` as a JSON number may be written).
    private static func integer(_ value: OrderedJSON?) -> Int64? {
        guard let text = value?.numberText else { return nil }
        if let n = Int64(text) { return n }
        if let d = Double(text), d.rounded() == d, abs(d) < 9e15 { return Int64(d) }
        return nil
    }
}
