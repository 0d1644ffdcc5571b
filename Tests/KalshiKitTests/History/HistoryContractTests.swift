import FixtureServers
import Foundation
import Testing

/// The history fixture's payloads against the real Kalshi OpenAPI spec (same validator as the
/// event payloads, `Contract/validate_fixtures.py`, with the `history-<Schema>-` kinds).
@Suite(.timeLimit(.minutes(2)))
struct HistoryContractTests {
    static let dataset = KalshiHistoryDataset(markets: 4, tradesPerMarket: 5, fills: 6, settlements: 4, positions: 5)

    static func payloads() -> [(String, String)] {
        let d = dataset
        let fixture = KalshiHistoryFixture(dataset: d, verifier: nil)
        func get(_ path: String, _ query: [String: String]) -> String { fixture.route(path, query)! }
        let live = (0..<d.markets).first { !d.isHistoricalMarket($0) }!
        let old = (0..<d.markets).first(where: d.isHistoricalMarket)!
        return [
            ("history-GetHistoricalCutoffResponse-cutoff.json", get("/historical/cutoff", [:])),
            ("history-GetFillsResponse-live.json", get("/portfolio/fills", ["limit": "2"])),
            ("history-GetFillsResponse-historical.json", get("/historical/fills", [:])),
            ("history-GetSettlementsResponse-page.json", get("/portfolio/settlements", ["limit": "3"])),
            ("history-GetPositionsResponse-page.json", get("/portfolio/positions", [:])),
            ("history-GetMarketsResponse-settled.json", get("/markets", ["series_ticker": d.series, "status": "settled"])),
            ("history-GetMarketsResponse-historical.json", get("/historical/markets", ["series_ticker": d.series])),
            ("history-GetTradesResponse-live.json", get("/markets/trades", ["ticker": d.marketTicker(live)])),
            ("history-GetTradesResponse-historical.json", get("/historical/trades", ["ticker": d.marketTicker(old)])),
            ("history-GetMarketCandlesticksResponse-1m.json",
             get("/series/\(d.series)/markets/\(d.marketTicker(live))/candlesticks",
                 ["start_ts": "0", "end_ts": "9999999999", "period_interval": "1"])),
            ("history-GetMarketCandlesticksHistoricalResponse-60m.json",
             get("/historical/markets/\(d.marketTicker(old))/candlesticks", ["start_ts": "0", "end_ts": "9999999999", "period_interval": "60"])),
        ]
    }

    @Test func historyFixturesMatchTheRealSchema() async throws {
        let files = Self.payloads()
        let result = try await ContractTests.validate(files)
        #expect(!result.output.contains("MISSING PACKAGE"), "\(result.output)")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.split(separator: "\n").filter { $0.hasPrefix("OK ") }.count == files.count, "\(result.output)")
    }

    @Test func driftedHistoryPayloadsFail() async throws {
        let files = Self.payloads()
        let fills = files.first { $0.0.contains("GetFillsResponse-live") }!.1
        let candles = files.first { $0.0.contains("CandlesticksResponse-1m") }!.1
        let drifted = [
            ("history-GetFillsResponse-renamed.json", fills.replacingOccurrences(of: "\"count_fp\"", with: "\"count_fixed\"")),
            ("history-GetFillsResponse-wrong-type.json", fills.replacingOccurrences(of: "\"is_taker\": true", with: "\"is_taker\": \"true\"")),
            ("history-GetMarketCandlesticksResponse-historical-names.json", candles.replacingOccurrences(of: "\"open_dollars\"", with: "\"open\"")),
        ]
        let result = try await ContractTests.validate(drifted)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.split(separator: "\n").filter { $0.hasPrefix("FAIL ") }.count == drifted.count, "\(result.output)")
    }
}
