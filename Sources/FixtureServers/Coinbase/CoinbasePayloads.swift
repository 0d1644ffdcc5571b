import Foundation

/// Payloads in the exchanges' exact formats, field for field (the Coinbase ticker follows the
/// legacy example message), for the fixture server and for tests that send raw frames.
public enum CoinbasePayloads {
    /// A Coinbase Exchange `ticker` message.
    public static func ticker(price: String, tradeId: Int64, sequence: Int64, time: String,
                              productId: String = "BTC-USD", side: String = "sell") -> String {
        #"{"type":"ticker","sequence":\#(sequence),"product_id":"\#(productId)","price":"\#(price)","open_24h":"8217.24","volume_24h":"4529.13","low_24h":"8172.00","high_24h":"8600.00","volume_30d":"329178.93","best_bid":"\#(price)","best_ask":"\#(price)","best_bid_size":"0.5","best_ask_size":"0.2","side":"\#(side)","time":"\#(time)","trade_id":\#(tradeId),"last_size":"0.00241692"}"#
    }

    /// The answer to a subscribe.
    public static func subscriptions(productId: String = "BTC-USD") -> String {
        #"{"type":"subscriptions","channels":[{"name":"ticker","product_ids":["\#(productId)"],"account_ids":null}]}"#
    }

    /// A `heartbeat` channel message.
    public static func heartbeat(sequence: Int64, lastTradeId: Int64, time: String, productId: String = "BTC-USD") -> String {
        #"{"type":"heartbeat","sequence":\#(sequence),"last_trade_id":\#(lastTradeId),"product_id":"\#(productId)","time":"\#(time)"}"#
    }

    /// An `error` message.
    public static func error(message: String, reason: String) -> String {
        #"{"type":"error","message":"\#(message)","reason":"\#(reason)"}"#
    }

    /// Coinbase spot: `{"data":{"base":"BTC","currency":"USD","amount":"43251.23"}}`.
    public static func spot(amount: String) -> String {
        #"{"data":{"base":"BTC","currency":"USD","amount":"\#(amount)"}}"#
    }

    /// Kraken ticker with last trade price `last` (`result.XXBTZUSD.c[0]`).
    public static func krakenTicker(last: String) -> String {
        #"{"error":[],"result":{"XXBTZUSD":{"a":["\#(last)","1","1.000"],"b":["\#(last)","2","2.000"],"c":["\#(last)","0.00150000"],"v":["1234.5","5678.9"],"p":["\#(last)","\#(last)"],"t":[1000,5000],"l":["\#(last)","\#(last)"],"h":["\#(last)","\#(last)"],"o":"\#(last)"}}}"#
    }

    /// Kraken OHLC, one hourly candle per close (oldest first), starting at `firstTime`.
    public static func krakenOHLC(closes: [String], firstTime: Int64 = 1_700_000_400, interval: Int64 = 3600) -> String {
        let rows = closes.enumerated().map { i, close in
            #"[\#(firstTime + Int64(i) * interval),"\#(close)","\#(close)","\#(close)","\#(close)","\#(close)","1.23456789",42]"#
        }
        return #"{"error":[],"result":{"XXBTZUSD":[\#(rows.joined(separator: ","))],"last":\#(firstTime + Int64(max(closes.count - 1, 0)) * interval)}}"#
    }

    /// One Coinbase Exchange trade as in `GET /products/{id}/trades`.
    public static func trade(time: String, tradeId: Int64, price: String, size: String = "0.01", side: String = "buy") -> String {
        #"{"time":"\#(time)","trade_id":\#(tradeId),"price":"\#(price)","size":"\#(size)","side":"\#(side)"}"#
    }

    /// A trades page (already newest first).
    public static func tradesPage(_ trades: [String]) -> String { "[" + trades.joined(separator: ",") + "]" }

    /// `2018-05-21T00:30:11.587000Z` for an epoch instant in microseconds.
    public static func timestamp(epochMicroseconds: Int64) -> String {
        let seconds = epochMicroseconds / 1_000_000
        let micros = epochMicroseconds % 1_000_000
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ v: Int?, _ w: Int) -> String {
            let s = String(v ?? 0)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))."
            + pad(Int(micros), 6) + "Z"
    }
}
