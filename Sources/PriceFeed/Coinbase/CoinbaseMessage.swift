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
    /// A plain ticker (nearly every message) is read by `CoinbaseTickerScanner` in one pass over
    /// the text's bytes; everything else, and every error, by `decodeGeneral`. Both give the same
    /// result for any text the fast path accepts.
    public static func decode(_ text: some StringProtocol, productId: String = "BTC-USD") throws(PriceFeedError) -> CoinbaseMessage {
        let fast = text.utf8.withContiguousStorageIfAvailable {
            CoinbaseTickerScanner.ticker(in: UnsafeRawBufferPointer($0), productId: productId)
        }
        if let ticker = fast ?? nil { return .ticker(ticker) }
        return try decodeGeneral(utf8: text.utf8, productId: productId)
    }

    /// `decode(_:productId:)` on one message's UTF-8 bytes (a websocket frame's payload, read in
    /// place: no `String` is made of the message).
    public static func decode(utf8 bytes: UnsafeRawBufferPointer, productId: String = "BTC-USD") throws(PriceFeedError) -> CoinbaseMessage {
        if let ticker = CoinbaseTickerScanner.ticker(in: bytes, productId: productId) { return .ticker(ticker) }
        return try decodeGeneral(utf8: bytes, productId: productId)
    }

    /// The general decoder: any message, through StorageKit's strict byte-level `OrderedJSON`
    /// tree (rather than `JSONSerialization`, whose dictionary of bridged objects per message was
    /// most of the daemon's CPU time once). It is the reference the ticker fast path must agree
    /// with, and the one that reports every error.
    public static func decodeGeneral(utf8 bytes: some Collection<UInt8>, productId: String = "BTC-USD") throws(PriceFeedError) -> CoinbaseMessage {
        let subject = "coinbase websocket"
        let object: OrderedJSON
        do throws(OrderedJSONError) {
            object = try OrderedJSON.parse(bytes)
        } catch {
            throw PriceFeedError(.malformedMessage, subject: subject, "message is not JSON (\(error))",
                                 excerpt: PriceFeedError.excerpt(of: bytes))
        }
        func fail(_ code: PriceFeedError.Code, _ why: String) -> PriceFeedError {
            PriceFeedError(code, subject: subject, why, excerpt: PriceFeedError.excerpt(of: bytes))
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
