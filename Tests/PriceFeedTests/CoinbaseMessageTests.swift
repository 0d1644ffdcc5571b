import PriceFeed
import StorageKit
import Testing

@Suite struct CoinbaseMessageTests {
    /// The legacy example ticker, verbatim.
    static let legacyTicker = #"{"type":"ticker","sequence":5928281348,"product_id":"BTC-USD","price":"8500.00000000","open_24h":"8217.24","volume_24h":"4529.13","low_24h":"8172.00","high_24h":"8600.00","volume_30d":"329178.93","best_bid":"8500","best_ask":"8500.01","best_bid_size":"0.5","best_ask_size":"0.2","side":"sell","time":"2018-05-21T00:30:11.587000Z","trade_id":43736677,"last_size":"0.00241692"}"#

    @Test func decodesTheLegacyTicker() throws {
        guard case .ticker(let t) = try CoinbaseMessage.decode(Self.legacyTicker) else {
            Issue.record("not a ticker"); return
        }
        #expect(t.price == USDCents(cents: 850_000))
        #expect(t.tradeId == 43_736_677)
        #expect(t.sequence == 5_928_281_348)
        #expect(t.productId == "BTC-USD")
        #expect(t.side == "sell")
        #expect(t.lastSize == "0.00241692")
        #expect(t.bestAsk == "8500.01")
        #expect(t.time == TradeTime(epochSeconds: 1_526_862_611, microseconds: 587_000))
        #expect(t.time.description == "2018-05-21T00:30:11.587000Z")
        #expect(t.trade.source == .coinbaseWebSocket)
    }

    @Test func subscribeMessageIsTheLegacyOne() {
        #expect(CoinbaseMessage.subscribeText() == #"{"type":"subscribe","channels":[{"name":"ticker","product_ids":["BTC-USD"]}]}"#)
    }

    @Test func decodesControlMessages() throws {
        #expect(try CoinbaseMessage.decode(#"{"type":"subscriptions","channels":[{"name":"ticker","product_ids":["BTC-USD"]}]}"#)
            == .subscriptions(["ticker": ["BTC-USD"]]))
        #expect(try CoinbaseMessage.decode(#"{"type":"heartbeat","sequence":90,"last_trade_id":20,"product_id":"BTC-USD","time":"2014-11-07T08:19:28.464459Z"}"#)
            == .heartbeat(lastTradeId: 20, sequence: 90))
        #expect(try CoinbaseMessage.decode(#"{"type":"error","message":"Failed to subscribe","reason":"BTC-XYZ is not a valid product"}"#)
            == .error(message: "Failed to subscribe", reason: "BTC-XYZ is not a valid product"))
        #expect(try CoinbaseMessage.decode(#"{"type":"status","products":[]}"#) == .unknown(type: "status"))
    }

    /// Escapes, spacing and member order are JSON's business, not the exchange's: the decoder reads
    /// them as any JSON reader would.
    @Test func readsEscapedStringsAndAnyMemberOrder() throws {
        let text = #"{ "trade_id" : 7, "time":"2018-05-21T00:30:11.587000Z","sequence":9,"price":"8500.01","#
            + #""product_id":"BTC\u002dUSD","side":"s\u00e9ll \"x\"","type":"ticker"}"#
        guard case .ticker(let t) = try CoinbaseMessage.decode(text) else {
            Issue.record("not a ticker"); return
        }
        #expect(t.productId == "BTC-USD")
        #expect(t.side == "séll \"x\"")
        #expect(t.price == USDCents(cents: 850_001))
        #expect(t.tradeId == 7 && t.sequence == 9)
        #expect(try CoinbaseMessage.decode(#"{"type":"l2update","changes":[["buy","1.0","0.5"]],"x":{"y":[null,true]}}"#)
            == .unknown(type: "l2update"))
    }

    static let badTickers: [(String, PriceFeedError.Code)] = [
        ("{not json", .malformedMessage),
        (String(legacyTicker.dropLast(5)), .malformedMessage),
        (legacyTicker + "x", .malformedMessage),
        (#"{"type":"ticker","price":"1.00","product_id":"BTC-USD\q"}"#, .malformedMessage),
        (#"{"type":"ticker","price":"1.00","product_id":"BTC-USD","trade_id":1.5,"sequence":1,"time":"2018-05-21T00:30:11Z"}"#, .malformedMessage),
        ("[1,2,3]", .malformedMessage),
        (#"{"no_type":1}"#, .malformedMessage),
        (legacyTicker.replacingOccurrences(of: #""price":"8500.00000000""#, with: #""price":"abc""#), .invalidPrice),
        (legacyTicker.replacingOccurrences(of: #""price":"8500.00000000""#, with: #""price":"0.00""#), .invalidPrice),
        (legacyTicker.replacingOccurrences(of: #""price":"8500.00000000""#, with: #""price":"-5""#), .invalidPrice),
        (legacyTicker.replacingOccurrences(of: #""price":"8500.00000000""#, with: #""price":8500"#), .invalidPrice),
        (legacyTicker.replacingOccurrences(of: #""price":"8500.00000000""#, with: #""price":"1e5""#), .invalidPrice),
        (legacyTicker.replacingOccurrences(of: "BTC-USD", with: "ETH-USD"), .wrongProduct),
        (legacyTicker.replacingOccurrences(of: #""trade_id":43736677"#, with: #""trade_id":"x""#), .malformedMessage),
        (legacyTicker.replacingOccurrences(of: "2018-05-21T00:30:11.587000Z", with: "yesterday"), .malformedMessage),
    ]

    @Test(arguments: badTickers)
    func rejectsBadMessagesWithTypedErrors(text: String, code: PriceFeedError.Code) {
        do {
            let m = try CoinbaseMessage.decode(text)
            Issue.record("decoded \(m) from \(text)")
        } catch {
            #expect(error.code == code)
            #expect(!error.description.isEmpty)
        }
    }
}
