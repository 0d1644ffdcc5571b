import Foundation
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
    public static func decode(_ text: some StringProtocol, productId: String = "BTC-USD") throws(PriceFeedError) -> CoinbaseMessage {
        let data = Data(text.utf8)
        let subject = "coinbase websocket"
        let object: [String: Any]
        do {
            guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw PriceFeedError(.malformedMessage, subject: subject, "message is not a JSON object",
                                     excerpt: PriceFeedError.excerpt(of: data))
            }
            object = o
        } catch let e as PriceFeedError {
            throw e
        } catch {
            throw PriceFeedError(.malformedMessage, subject: subject, "message is not JSON",
                                 excerpt: PriceFeedError.excerpt(of: data))
        }
        func fail(_ code: PriceFeedError.Code, _ why: String) -> PriceFeedError {
            PriceFeedError(code, subject: subject, why, excerpt: PriceFeedError.excerpt(of: data))
        }
        guard let type = object["type"] as? String else { throw fail(.malformedMessage, "message has no string `type`") }
        switch type {
        case "ticker":
            guard let product = object["product_id"] as? String else { throw fail(.malformedMessage, "ticker without product_id") }
            guard product == productId else { throw fail(.wrongProduct, "ticker for \(product), subscribed to \(productId)") }
            guard let priceText = object["price"] as? String else { throw fail(.invalidPrice, "ticker price is missing or not a string") }
            guard let price = USDCents(decimalString: priceText), price.cents > 0 else {
                throw fail(.invalidPrice, "ticker price \(priceText) is not a positive decimal")
            }
            guard let tradeId = integer(object["trade_id"]) else { throw fail(.malformedMessage, "ticker without integer trade_id") }
            guard let sequence = integer(object["sequence"]) else { throw fail(.malformedMessage, "ticker without integer sequence") }
            guard let timeText = object["time"] as? String, let time = TradeTime(rfc3339: timeText) else {
                throw fail(.malformedMessage, "ticker time is missing or not RFC 3339")
            }
            return .ticker(CoinbaseTicker(
                productId: product, price: price, time: time, tradeId: tradeId, sequence: sequence,
                side: object["side"] as? String, lastSize: object["last_size"] as? String,
                bestBid: object["best_bid"] as? String, bestAsk: object["best_ask"] as? String))
        case "subscriptions":
            var channels: [String: [String]] = [:]
            for entry in object["channels"] as? [Any] ?? [] {
                if let name = entry as? String {
                    channels[name, default: []] += []
                } else if let dict = entry as? [String: Any], let name = dict["name"] as? String {
                    channels[name, default: []] += (dict["product_ids"] as? [String]) ?? []
                }
            }
            return .subscriptions(channels)
        case "heartbeat":
            return .heartbeat(lastTradeId: integer(object["last_trade_id"]), sequence: integer(object["sequence"]))
        case "error":
            return .error(message: object["message"] as? String ?? "", reason: object["reason"] as? String)
        default:
            return .unknown(type: type)
        }
    }

    /// An integer JSON number (`NSNumber` on Linux and Darwin) that is integral and fits `Int64`.
    private static func integer(_ value: Any?) -> Int64? {
        if let n = value as? Int64 { return n }
        if let n = value as? Int { return Int64(n) }
        if let d = value as? Double, d.rounded() == d, abs(d) < 9e15 { return Int64(d) }
        return nil
    }
}
