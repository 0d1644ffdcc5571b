import Foundation
import Testing
import StorageKit
@testable import KalshiKit

@Suite struct MarketDecodingTests {
    static let event = EventTicker(series: "KXBTCD", at: 1_754_683_200)  // 2025-08-08T20:00:00Z → KXBTCD-25AUG0817
    static let second: Int64 = 1_754_683_321

    @Test(arguments: KalshiFixtures.Form.allCases)
    func bothWireFormsGiveTheSameExactValues(form: KalshiFixtures.Form) throws {
        let body = KalshiFixtures.eventResponse(Self.event, markets: 2, form: form)
        let snapshot = try EventSnapshot.decode(try OrderedJSON.parse(Array(body.utf8)), second: Self.second, request: "test")
        #expect(snapshot.eventTicker == "KXBTCD-25AUG0817")
        #expect(snapshot.invalidMarkets.isEmpty)
        #expect(snapshot.markets.count == 2)
        let m = try #require(snapshot.markets.first)
        #expect(m.marketTicker == "KXBTCD-25AUG0817-T116999.99")
        #expect(m.yesBid.description == "0.1200")
        #expect(m.yesAsk.description == "0.1400")
        #expect(m.noBid.description == "0.8600")
        #expect(m.noAsk.description == "0.8800")
        #expect(m.lastPrice.description == "0.1300")
        #expect(m.volume.description == "1520.00")
        #expect(m.volume24h?.description == "310.00")
        #expect(m.openInterest.description == "977.00")
        #expect(m.status == "active")
        #expect(m.closeTime == Self.event.closeEpochSeconds)
        #expect(m.openTime == Self.event.closeEpochSeconds - 3600)
        #expect(m.strikeType == "greater")
        #expect(m.floorStrike == "116999.99")
        #expect(m.capStrike == nil)
        #expect(m.second == Self.second)
        // The raw JSON is the market object as sent (order and number text kept).
        #expect(m.rawJSON.hasPrefix("{\"ticker\":\"KXBTCD-25AUG0817-T116999.99\",\"event_ticker\""))
        #expect(m.rawJSON.contains("\"floor_strike\":116999.99"))
    }

    @Test func fixedPointWinsAndSubCentPricesStayExact() throws {
        let market = """
            {"ticker": "X-1", "event_ticker": "X", "status": "active", "open_time": "2025-08-08T20:00:00Z",
             "close_time": "2025-08-08T21:00:00.000Z", "yes_bid_dollars": "0.1234", "yes_bid": 12,
             "yes_ask_dollars": "0.123400", "no_bid_dollars": "0.5", "no_ask": 50, "last_price_dollars": "1",
             "volume_fp": "2.50", "open_interest": 3, "some_future_field": {"nested": [1, 2]}}
            """
        let s = try MarketDecoder.decode(try OrderedJSON.parse(Array(market.utf8)), second: Self.second).get()
        #expect(s.yesBid.tenThousandths == 1234)
        #expect(s.yesAsk.description == "0.1234")
        #expect(s.noBid.description == "0.5000")
        #expect(s.noAsk.description == "0.5000")
        #expect(s.lastPrice.description == "1.0000")
        #expect(s.volume.description == "2.50")
        #expect(s.volume24h == nil)
        #expect(s.openInterest.description == "3.00")
        #expect(s.closeTime == 1_754_686_800)
    }

    @Test(arguments: [
        ("yes_bid_dollars", "\"yes_bid_dollars\": \"0.12345\"", "at most 4 decimals"),
        ("no_ask", "\"no_ask_dollars\": 0.88", "not a dollar amount"),
        ("status", "\"status\": null", "missing \"status\""),
        ("volume", "\"volume_fp\": \"1e3\"", "not a contract count"),
        ("last_price", "\"last_price\": 13.5", "integer number of cents"),
        ("floor_strike", "\"floor_strike\": \"116999.99\"", "not a number"),
    ])
    func invalidMarketsNameTheirTickerAndReason(field: String, replacement: String, reason: String) throws {
        var market = KalshiFixtures.market(event: Self.event, strike: "117000", form: .both)
        // Replace the member (whichever form) by the bad one: drop both forms, then add the replacement.
        var json = try OrderedJSON.parse(Array(market.utf8))
        guard case .object(var members) = json else { Issue.record("not an object"); return }
        let names = [field, field + "_dollars", field + "_fp"]
        members.removeAll { names.contains($0.key) }
        let extra = try OrderedJSON.parse(Array("{\(replacement)}".utf8))
        if case .object(let add) = extra { members += add }
        json = .object(members)
        market = json.compactText
        let body = KalshiFixtures.eventResponse(Self.event, marketObjects: [market, KalshiFixtures.market(event: Self.event, strike: "117250", form: .fixedPoint)])
        let snapshot = try EventSnapshot.decode(try OrderedJSON.parse(Array(body.utf8)), second: Self.second, request: "test")
        #expect(snapshot.markets.map(\.marketTicker) == ["KXBTCD-25AUG0817-T117250"])
        let invalid = try #require(snapshot.invalidMarkets.first)
        #expect(invalid.ticker == "KXBTCD-25AUG0817-T117000")
        #expect(invalid.reason.contains(reason), "\(invalid.reason)")
    }

    @Test func missingMembersOfTheResponseAreAShapeError() throws {
        for body in ["{\"markets\": []}", "[1]", "{\"event\": {\"event_ticker\": \"X\"}}"] {
            #expect(throws: KalshiAPIError.self) {
                try EventSnapshot.decode(try OrderedJSON.parse(Array(body.utf8)), second: Self.second, request: "t")
            }
        }
    }

    @Test func fixedPointParsing() {
        #expect(DollarAmount(decimalString: "0.1200")?.tenThousandths == 1200)
        #expect(DollarAmount(decimalString: "0.12")?.description == "0.1200")
        #expect(DollarAmount(decimalString: "0.120000")?.description == "0.1200")
        #expect(DollarAmount(decimalString: "0.12001") == nil)
        #expect(DollarAmount(decimalString: "1e2") == nil)
        #expect(DollarAmount(decimalString: "") == nil)
        #expect(DollarAmount(decimalString: ".") == nil)
        #expect(DollarAmount(decimalString: "-0.0100")?.description == "-0.0100")
        #expect(DollarAmount(cents: 99).description == "0.9900")
        #expect(ContractCount(decimalString: "10.00")?.hundredths == 1000)
        #expect(ContractCount(decimalString: "2.5")?.description == "2.50")
        #expect(ContractCount(decimalString: "2.555") == nil)
        #expect(ContractCount(contracts: 7).description == "7.00")
    }

    @Test func orderedJSONKeepsOrderNumbersAndDetectsTruncation() throws {
        let text = "{\"b\": 1.50, \"a\": [true, null, \"x\\u00e9\\n\"], \"c\": {}}"
        let doc = try OrderedJSON.parse(Array(text.utf8))
        #expect(doc.compactText == "{\"b\":1.50,\"a\":[true,null,\"xé\\n\"],\"c\":{}}")
        #expect(doc.indentedText() == "{\n  \"b\": 1.50,\n  \"a\": [\n    true,\n    null,\n    \"xé\\n\"\n  ],\n  \"c\": {}\n}")
        for cut in [5, 12, 20, text.utf8.count - 1] {
            let prefix = Array(text.utf8.prefix(cut))
            #expect { try OrderedJSON.parse(prefix) } throws: { ($0 as? OrderedJSONError)?.code == .truncated }
        }
        #expect { try OrderedJSON.parse(Array("<html>".utf8)) } throws: { ($0 as? OrderedJSONError)?.code == .syntax }
        #expect { try OrderedJSON.parse(Array("{} x".utf8)) } throws: { ($0 as? OrderedJSONError)?.code == .syntax }
    }

    @Test func legacyLatestFileIsTheResponsePlusTitleIndented() throws {
        let body = KalshiFixtures.eventResponse(Self.event, markets: 1)
        let response = try OrderedJSON.parse(Array(body.utf8))
        let poll = MarketPollSnapshot(second: Self.second, seriesTicker: "KXBTCD", eventTicker: "KXBTCD-25AUG0817", title: "T", response: response)
        let text = LegacyMarketSnapshotFile.contents(poll)
        #expect(text.hasPrefix("{\n  \"event\": {\n    \"event_ticker\": \"KXBTCD-25AUG0817\","))
        #expect(text.hasSuffix("\n  ],\n  \"title\": \"T\"\n}\n"))
        let reparsed = try OrderedJSON.parse(Array(text.utf8))
        guard case .object(let members) = reparsed else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["event", "markets", "title"])
        #expect(reparsed["markets"] == response["markets"])
        #expect(LegacyMarketSnapshotFile.fileName(series: "KXBTCD") == "latest_market_snapshot.json")
        #expect(LegacyMarketSnapshotFile.fileName(series: "KXBTC") == "latest_market_snapshot_kxbtc.json")
    }
}
