import FixtureServers
import Foundation
@testable import PriceFeed
import StorageKit
import Testing

/// The ticker fast path (`CoinbaseTickerScanner`) against the general decoder it stands in for:
/// every message shape the fixture server and the legacy notes show, the number and time forms
/// the fast path leaves to the general decoder, and single-byte mutations of real tickers. The
/// outcome of `decode` (fast path first) must equal `decodeGeneral`'s: the same message, or an
/// error with the same code and text.
@Suite struct CoinbaseTickerScannerTests {
    static let legacyTicker = CoinbaseMessageTests.legacyTicker
    static let fixtureTicker = CoinbasePayloads.ticker(price: "64123.45600000", tradeId: 43_736_677, sequence: 5_928_281_348,
                                                       time: "2026-11-25T18:30:11.123456Z")

    /// The outcome of one decoder, comparable: the message, or the error's code and text.
    enum Outcome: Equatable, CustomStringConvertible {
        case message(CoinbaseMessage)
        case error(String, String)

        init(_ body: () throws -> CoinbaseMessage) {
            do {
                self = .message(try body())
            } catch let error as PriceFeedError {
                self = .error(error.code.description, error.description)
            } catch {
                self = .error("unexpected", "\(error)")
            }
        }

        var description: String {
            switch self {
            case .message(let m): "\(m)"
            case .error(let code, let text): "\(code): \(text)"
            }
        }
    }

    static func fastPath(_ bytes: [UInt8], productId: String = "BTC-USD") -> CoinbaseTicker? {
        bytes.withUnsafeBytes { CoinbaseTickerScanner.ticker(in: $0, productId: productId) }
    }

    /// `decode` on the bytes, on the same bytes as text, and `decodeGeneral` all agree.
    static func expectAgreement(_ bytes: [UInt8], productId: String = "BTC-USD", sourceLocation: SourceLocation = #_sourceLocation) {
        let general = Outcome { try CoinbaseMessage.decodeGeneral(utf8: bytes, productId: productId) }
        let fromBytes = Outcome { try bytes.withUnsafeBytes { try CoinbaseMessage.decode(utf8: $0, productId: productId) } }
        #expect(fromBytes == general, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        if let text = String(validating: bytes, as: UTF8.self) {
            let fromText = Outcome { try CoinbaseMessage.decode(text, productId: productId) }
            #expect(fromText == general, "\(text)", sourceLocation: sourceLocation)
        }
    }

    static func with(_ text: String, _ field: String, _ value: String) -> String {
        let pattern = "\"\(field)\":"
        guard let start = text.range(of: pattern) else { return text }
        var end = start.upperBound
        if text[end] == "\"" {
            end = text.index(after: end)
            while text[end] != "\"" { end = text.index(after: end) }
            end = text.index(after: end)
        } else {
            while text[end] != "," && text[end] != "}" { end = text.index(after: end) }
        }
        return text.replacingCharacters(in: start.upperBound..<end, with: value)
    }

    // MARK: - Shapes

    @Test func plainTickersTakeTheFastPathAndMatchTheGeneralDecoder() throws {
        let tickers = [Self.legacyTicker, Self.fixtureTicker,
                       CoinbasePayloads.ticker(price: "8500", tradeId: 1, sequence: 2, time: "2018-05-21T00:30:11Z", side: "buy"),
                       CoinbasePayloads.ticker(price: "0.01", tradeId: 9_223_372_036_854_775_807, sequence: 0,
                                               time: "2024-02-29T23:59:59.999999999Z"),
                       CoinbasePayloads.ticker(price: "70000.1", tradeId: -5, sequence: 12, time: "1969-12-31T23:59:59.5Z",
                                               productId: "ETH-USD")]
        for text in tickers {
            let product = text.contains("ETH-USD") ? "ETH-USD" : "BTC-USD"
            let fast = try #require(Self.fastPath(Array(text.utf8), productId: product), "fast path declined \(text)")
            #expect(try CoinbaseMessage.decodeGeneral(utf8: Array(text.utf8), productId: product) == .ticker(fast))
            Self.expectAgreement(Array(text.utf8), productId: product)
        }
        let legacy = try #require(Self.fastPath(Array(Self.legacyTicker.utf8)))
        #expect(legacy.price == USDCents(cents: 850_000))
        #expect(legacy.time == TradeTime(epochSeconds: 1_526_862_611, microseconds: 587_000))
        #expect(legacy.tradeId == 43_736_677 && legacy.sequence == 5_928_281_348)
        #expect(legacy.side == "sell" && legacy.lastSize == "0.00241692" && legacy.bestBid == "8500" && legacy.bestAsk == "8500.01")
    }

    @Test func otherMessageTypesGoToTheGeneralDecoder() {
        let time = "2014-11-07T08:19:28.464459Z"
        for text in [CoinbasePayloads.subscriptions(), CoinbasePayloads.heartbeat(sequence: 90, lastTradeId: 20, time: time),
                     CoinbasePayloads.error(message: "Failed to subscribe", reason: "BTC-XYZ is not a valid product"),
                     #"{"type":"status","products":[]}"#, #"{"type":"l2update","changes":[["buy","1.0","0.5"]]}"#,
                     #"{"type":"subscriptions","channels":["heartbeat"]}"#] {
            #expect(Self.fastPath(Array(text.utf8)) == nil, "\(text)")
            Self.expectAgreement(Array(text.utf8))
        }
    }

    /// Forms the fast path reads itself and forms it leaves to the general decoder (valid or not):
    /// either way, the same outcome.
    static let variants: [(field: String, value: String, fast: Bool)] = [
        ("price", #""8500.125""#, true), ("price", #""8500.135""#, true), ("price", #""8500.1250001""#, true),
        ("price", #""00012.30""#, true), ("price", #""0.004""#, false), ("price", #""0.005""#, false), ("price", #""0.015""#, true),
        ("price", #""899999999999999.99""#, true), ("price", #""900000000000000""#, false),
        ("price", #""+5""#, false), ("price", #"".5""#, false), ("price", #""5.""#, false), ("price", #""1e5""#, false),
        ("price", #""-1.00""#, false), ("price", #""""#, false), ("price", "8500", false), ("price", "null", false),
        ("price", #""8500.0a""#, false), ("price", #""1.2.3""#, false),
        ("trade_id", "1.2e1", false), ("trade_id", "-0", true), ("trade_id", "9223372036854775808", false),
        ("trade_id", "-9223372036854775808", true), ("trade_id", "012", false), ("trade_id", "1.", false),
        ("trade_id", "true", false), ("trade_id", #""7""#, false), ("sequence", "3E2", false), ("sequence", "null", false),
        ("time", #""2018-05-21T00:30:11Z""#, true), ("time", #""2018-05-21T00:30:11.Z""#, false),
        ("time", #""2018-05-21 00:30:11.5Z""#, false), ("time", #""2018-05-21T00:30:11.5+00:00""#, false),
        ("time", #""2018-05-21T00:30:11.5-05:30""#, false), ("time", #""2018-02-30T00:30:11Z""#, false),
        ("time", #""2018-05-21T24:00:00Z""#, false), ("time", #""2018-05-21T00:30:11.5z""#, false),
        ("time", #""2018-05-21T00:30:11.5x1Z""#, false), ("time", "1526862611", false),
        ("product_id", #""BTC-USDT""#, false), ("product_id", #""btc-usd""#, false), ("product_id", #""BTC\u002dUSD""#, false),
        ("type", #""tickers""#, false), ("type", #""ticke\u0072""#, false), ("type", "1", false),
        ("side", "null", true), ("side", "7", true), ("side", "false", true), ("side", #""s\u00e9ll""#, false),
        ("side", #""séll""#, false), ("side", #"{"a":1}"#, false), ("last_size", "[1]", false), ("best_bid", "0.5", true),
        ("open_24h", "-0.5e-3", true), ("open_24h", "[]", false), ("open_24h", "01", false), ("open_24h", "1e", false),
        ("open_24h", "tru", false), ("open_24h", "nul", false), ("volume_24h", "\"tab\there\"", false),
    ]

    @Test(arguments: variants)
    func variantsAgreeWithTheGeneralDecoder(field: String, value: String, fast: Bool) {
        let text = Self.with(Self.legacyTicker, field, value)
        #expect(text.contains("\"\(field)\":\(value)"), "the variant was not applied")
        #expect((Self.fastPath(Array(text.utf8)) != nil) == fast, "\(text)")
        Self.expectAgreement(Array(text.utf8))
    }

    @Test func structureVariantsAgreeWithTheGeneralDecoder() {
        let t = Self.legacyTicker
        let cases: [(String, Bool)] = [
            (" \n\t{ \"type\" : \"ticker\" ," + t.dropFirst(17).replacingOccurrences(of: ",", with: " ,\r\n ") + " \n", true),
            ("\u{FEFF}" + t, false),                                        // byte order mark
            (String(t.dropLast()) + #","price":"1.00"}"#, false),          // a member that matters, twice
            (String(t.dropLast()) + #","type":"heartbeat"}"#, false),
            (String(t.dropLast()) + #","open_24h":"1"}"#, true),           // one that does not, twice
            (String(t.dropLast()) + #","extra":{"nested":[1,2]}}"#, false),
            (String(t.dropLast()) + ",}", false), (t + "}", false), (t + " x", false), ("[" + t + "]", false),
            (String(t.dropLast()), false), ("{}", false), ("", false), ("   ", false), ("{\"type\"}", false),
            (t.replacingOccurrences(of: #""type":"ticker","#, with: ""), false),
            (t.replacingOccurrences(of: #","trade_id":43736677"#, with: ""), false),
            (t.replacingOccurrences(of: #""sequence":5928281348,"#, with: ""), false),
            (t.replacingOccurrences(of: #""time":"2018-05-21T00:30:11.587000Z","#, with: ""), false),
            (t.replacingOccurrences(of: #""side":"sell","#, with: ""), true),
        ]
        for (text, fast) in cases {
            #expect((Self.fastPath(Array(text.utf8)) != nil) == fast, "\(text)")
            Self.expectAgreement(Array(text.utf8))
        }
        // Another subscribed product: the fast path compares the bytes.
        #expect(Self.fastPath(Array(t.utf8), productId: "ETH-USD") == nil)
        Self.expectAgreement(Array(t.utf8), productId: "ETH-USD")
    }

    /// Every malformed message of the decoder's own tests fails the same way through either door.
    @Test(arguments: CoinbaseMessageTests.badTickers)
    func malformedMessagesGiveTheGeneralDecodersErrors(text: String, code: PriceFeedError.Code) {
        #expect(Self.fastPath(Array(text.utf8)) == nil)
        Self.expectAgreement(Array(text.utf8))
    }

    /// Every byte of a real ticker deleted, doubled, or replaced by a byte that matters to JSON or
    /// to the fields (quotes, escapes, brackets, digits, signs, letters, control and non-ASCII
    /// bytes): the fast path never disagrees with the general decoder.
    @Test(arguments: [legacyTicker, fixtureTicker])
    func singleByteMutationsAgree(text: String) {
        let original = Array(text.utf8)
        let replacements: [UInt8] = Array(#""\{}[],:0159.-+eEZT tnfx"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xFF]
        var fastAccepted = 0
        for i in original.indices {
            var deleted = original
            deleted.remove(at: i)
            Self.expectAgreement(deleted)
            var doubled = original
            doubled.insert(original[i], at: i)
            Self.expectAgreement(doubled)
            for byte in replacements where byte != original[i] {
                var mutated = original
                mutated[i] = byte
                if Self.fastPath(mutated) != nil { fastAccepted += 1 }
                Self.expectAgreement(mutated)
            }
        }
        // Many mutations (digits in numbers, letters in optional strings) stay plain tickers.
        #expect(fastAccepted > 100)
    }
}
