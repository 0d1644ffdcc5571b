import FixtureServers
import Foundation
import Testing
import StorageKit
@testable import KalshiKit

/// The candlestick pages are read straight from their bytes (`KalshiListBytes`,
/// `KalshiCandlestickBytes`): the same records as the tree decoder, the same objects refused with
/// the same reasons, the same body errors as `KalshiHTTPClient`'s tree path.
@Suite struct HistoryBytesDecodingTests {
    static let ticker = "KXBTCD-H100003-T60750.99"

    /// What decoding one object gave: the record, or the error's text.
    enum Outcome: Equatable {
        case record(KalshiCandlestick)
        case trade(KalshiTrade)
        case failure(String)
    }

    static func list(_ body: String, period: Int64 = 1) throws(KalshiAPIError) -> KalshiListBytes<KalshiCandlestick> {
        try KalshiListBytes(Data(body.utf8), itemsKey: "candlesticks", status: 200, label: "GET /c",
                            fast: { r throws(OrderedJSONError) in try KalshiCandlestickBytes.candlestick(&r, ticker: ticker, periodMinutes: period) },
                            tree: { try KalshiHistoryDecoder.candlestick($0, ticker: ticker, periodMinutes: period) })
    }

    /// The tree path's result for one object: the record or the error text.
    static func tree(_ object: String, period: Int64 = 1) -> Outcome {
        do {
            let record = try KalshiHistoryDecoder.candlestick(try OrderedJSON.parse(Array(object.utf8)), ticker: ticker, periodMinutes: period)
            try record.validate()
            return .record(record)
        } catch {
            return .failure("\(error)")
        }
    }

    /// The byte path's result for one object, through a one-item page.
    static func bytes(_ object: String, period: Int64 = 1) throws -> Outcome {
        let page = try list(#"{"ticker": "\#(ticker)", "candlesticks": [\#(object)]}"#, period: period)
        if let record = page.records.first { return .record(record) }
        return .failure(try #require(page.invalid.first).reason)
    }

    /// Whether the fast reader alone (no tree fallback) reads the object.
    static func fast(_ object: String) throws -> KalshiCandlestick? {
        var reader = JSONByteReader(Array(object.utf8))
        return try KalshiCandlestickBytes.candlestick(&reader, ticker: ticker, periodMinutes: 1)
    }

    @Test func fixturePagesGiveTheTreeDecodersRecords() throws {
        let d = KalshiHistoryDataset(markets: 8)
        for historical in [false, true] {
            for period: Int64 in [1, 60] {
                let items = (0..<d.candlesticks(market: 3, periodMinutes: period)).map {
                    KalshiHistoryPayloads.candlestick(d, market: 3, periodMinutes: period, $0, historical: historical)
                }
                let page = try Self.list(#"{"ticker": "\#(Self.ticker)", "candlesticks": [\#(items.joined(separator: ", "))]}"#, period: period)
                let expected = try items.map { try KalshiHistoryDecoder.candlestick(try OrderedJSON.parse(Array($0.utf8)), ticker: Self.ticker, periodMinutes: period) }
                #expect(page.records == expected)
                #expect(page.invalid.isEmpty)
                #expect(page.records.contains { $0.priceOpen != nil })
                if period == 1 { #expect(page.records.contains { $0.priceOpen == nil }, "periods without trades are in the page") }
                // Every fixture object is read by the fast path itself, not the fallback.
                for item in items { #expect(try Self.fast(item) != nil, "\(item)") }
            }
        }
    }

    @Test func unusualObjectsDecodeOrFailAsInTheTree() throws {
        let bid = #""yes_bid": {"open_dollars": "0.1000", "low_dollars": "0.0900", "high_dollars": "0.1200", "close_dollars": "0.1100"}"#
        let ask = #""yes_ask": {"open": "0.2000", "low": "0.1900", "high": "0.2200", "close": "0.2100"}"#
        let cases = [
            // Accepted: numbers for amounts, live name preferred, a null live member falls back to the historical one,
            // a repeated member (the last counts), unknown members, price null or absent, whitespace.
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "price": null, "volume_fp": "1.00", "open_interest": 2}"#,
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "volume": "3", "open_interest_fp": "0.50", "extra": [1, {"a": null}]}"#,
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "price": {"close_dollars": null, "close": "0.3000", "mean_dollars": 0.25}, "volume_fp": "1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1, "end_period_ts": 1754683260, \#(bid), \#(ask), "volume_fp": "1", "volume_fp": "2", "open_interest_fp": "1"}"#,
            #"{ "end_period_ts" : 1754683260 , \#(bid) , \#(ask) , "volume_fp" : "1" , "open_interest_fp" : "1" }"#,
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "price": {"open_dollars": "0.5000", "open": "garbage"}, "volume_fp": "1", "open_interest_fp": "1"}"#,
            // Refused, with the tree's reason: missing or wrong members, inexact or negative amounts.
            #"{"end_period_ts": "1754683260", \#(bid), \#(ask), "volume_fp": "1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260.5, \#(bid), \#(ask), "volume_fp": "1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260, \#(ask), "volume_fp": "1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260, "yes_bid": [], \#(ask), "volume_fp": "1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260, "yes_bid": {"open_dollars": "0.10001", "low": "0", "high": "0", "close": "0"}, \#(ask), "volume_fp": "1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260, "yes_bid": {"low": "0", "high": "0", "close": "0"}, \#(ask), "volume_fp": "1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "price": {"open_dollars": "0.5000", "open": "garbage"}, "volume_fp": "-1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "price": "none", "volume_fp": "1", "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "volume_fp": null, "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "volume_fp": true, "open_interest_fp": "1"}"#,
            #"{"end_period_ts": 99, \#(bid), \#(ask), "volume_fp": "1", "open_interest_fp": "1"}"#,
            // An escaped member name: only the tree reads it (same record).
            #"{"end_period_ts": 1754683260, \#(bid), \#(ask), "volume\u005ffp": "4", "open_interest_fp": "1"}"#,
            #"[1]"#, #""text""#,
        ]
        var accepted = 0
        for object in cases {
            let expected = Self.tree(object), got = try Self.bytes(object)
            #expect(got == expected, "\(object)")
            if case .record = expected { accepted += 1 }
        }
        #expect(accepted == 7)
        #expect(try Self.fast(cases[0]) != nil)
        #expect(try Self.fast(cases[17]) == nil, "an escaped name goes to the tree")
    }

    @Test func bodyErrorsAreTheClientsErrors() throws {
        func code(_ body: String) -> KalshiAPIError.Code? {
            do { _ = try Self.list(body); return nil } catch { return error.code }
        }
        #expect(code("<html>bad gateway</html>") == .notJSON)
        #expect(code(#"{"candlesticks": [{"end_period_ts": 1"#) == .truncatedJSON)
        #expect(code(#"{"candlesticks": [], "error": {"code": "x", "message": "y"}}"#) == .apiError)
        #expect(code(#"{"candles": []}"#) == .unexpectedShape)
        #expect(code(#"{"candlesticks": {}}"#) == .unexpectedShape)
        #expect(code(#"[]"#) == .unexpectedShape)
        #expect(code(#"{"candlesticks": [], "error": null}"#) == nil)
        // A body the tree path reads is read the same (an escaped member name sends it all through the tree).
        let page = try Self.list(#"{"c\u0061ndlesticks": [{"bad": 1}], "cursor": "abc"}"#)
        #expect(page.records.isEmpty && page.invalid.count == 1 && page.cursor == "abc")
        #expect(page.invalid[0].reason.contains("yes_bid"), "\(page.invalid[0].reason)")
        #expect(page.invalid[0].excerpt.contains("bad"))
    }

    /// Trades: the fixture's pages and unusual objects give what the tree decoder gives.
    @Test func tradesGiveTheTreeDecodersRecords() throws {
        func page(_ items: [String]) throws -> KalshiListBytes<KalshiTrade> {
            try KalshiListBytes(Data(#"{"trades": [\#(items.joined(separator: ", "))], "cursor": "o7"}"#.utf8), itemsKey: "trades", status: 200,
                                label: "GET /t", fast: { r throws(OrderedJSONError) in try KalshiTradeBytes.trade(&r) }, tree: KalshiHistoryDecoder.trade)
        }
        func tree(_ item: String) -> Outcome {
            do {
                let t = try KalshiHistoryDecoder.trade(try OrderedJSON.parse(Array(item.utf8)))
                try t.validate()
                return .trade(t)
            } catch {
                return .failure("\(error)")
            }
        }
        let d = KalshiHistoryDataset(markets: 4, tradesPerMarket: 40)
        let items = (0..<40).map { KalshiHistoryPayloads.trade(d, market: 2, $0) }
        let fixture = try page(items)
        #expect(fixture.records.count == 40 && fixture.invalid.isEmpty && fixture.cursor == "o7")
        #expect(fixture.records.map { Outcome.trade($0) } == items.map(tree))
        for item in items {
            var r = JSONByteReader(Array(item.utf8))
            #expect(try KalshiTradeBytes.trade(&r) != nil, "\(item)")
        }
        let base = #""trade_id": "t-1", "ticker": "KXBTCD-X", "taker_side": "yes", "created_time": "2025-08-08T17:00:00Z""#
        let cases = [
            #"{\#(base), "count_fp": "2.50", "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400"}"#,
            #"{\#(base), "count": 3, "yes_price": 56, "no_price": 44}"#,
            #"{\#(base), "count_fp": null, "count": 3, "yes_price_dollars": 0.56, "yes_price": "x", "no_price_dollars": "0.44"}"#,
            #"{\#(base), "count_fp": "1", "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400", "trade_id": "t-\u00e9"}"#,
            #"{\#(base), "count_fp": "1", "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400", "ticker": "KXBTCD-é"}"#,
            #"{\#(base), "count": "3", "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400"}"#,
            #"{\#(base), "count_fp": "-1", "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400"}"#,
            #"{\#(base), "count_fp": "1", "yes_price_dollars": "0.56001", "no_price_dollars": "0.4400"}"#,
            #"{\#(base), "count_fp": "1", "yes_price_dollars": "0.5600"}"#,
            #"{\#(base), "count_fp": "1", "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400", "created_time": "yesterday"}"#,
            #"{\#(base), "count_fp": "1", "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400", "taker_side": "maybe"}"#,
            #"{\#(base), "count_fp": "1", "yes_price_dollars": "0.5600", "no_price_dollars": "0.4400", "trade_id": 7}"#,
        ]
        let result = try page(cases)
        var records = result.records.makeIterator(), invalid = result.invalid.makeIterator()
        var accepted = 0
        for item in cases {
            let expected = tree(item)
            switch expected {
            case .trade: #expect(records.next().map { Outcome.trade($0) } == expected, "\(item)"); accepted += 1
            default: #expect(invalid.next().map { Outcome.failure($0.reason) } == expected, "\(item)")
            }
        }
        #expect(accepted == 5)
    }
}
