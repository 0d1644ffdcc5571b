import FixtureServers
import Foundation
import PriceFeed
import StorageKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct RESTClientTests {
    @Test func coinbaseSpotAndKrakenTicker() async throws {
        try await withFixtureServer { server in
            let base = URL(string: server.httpBaseURL)!
            server.setRoute(HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot"), .json(CoinbasePayloads.spot(amount: "43251.23")))
            server.setRoute(HTTPFixtureRoute("GET", "/0/public/Ticker", query: "pair=XBTUSD"),
                            .json(CoinbasePayloads.krakenTicker(last: "43250.10000")))
            let spot = try await CoinbaseSpotClient(baseURL: base).fetchPrice()
            let kraken = try await KrakenTickerClient(baseURL: base).fetchPrice()
            #expect(spot == USDCents("43251.23"))
            #expect(kraken == USDCents("43250.10"))
        }
    }

    @Test func httpErrorsAreTypedWithStatusAndExcerpt() async throws {
        try await withFixtureServer { server in
            let base = URL(string: server.httpBaseURL)!
            server.setRoute(HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot"),
                            .json(#"{"errors":[{"id":"internal_server_error","message":"boom"}]}"#, status: 500))
            do {
                _ = try await CoinbaseSpotClient(baseURL: base).fetchPrice()
                Issue.record("expected an error")
            } catch let error as PriceFeedError {
                #expect(error.code == .httpStatus)
                #expect(error.status == 500)
                #expect(error.excerpt?.contains("internal_server_error") == true)
            }
            server.setRoute(HTTPFixtureRoute("GET", "/0/public/Ticker"), .json(#"{"error":["EQuery:Unknown asset pair"]}"#))
            do {
                _ = try await KrakenTickerClient(baseURL: base).fetchPrice()
                Issue.record("expected an error")
            } catch let error as PriceFeedError {
                #expect(error.code == .exchangeError)
                #expect(error.description.contains("Unknown asset pair"))
            }
            server.setRoute(HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot"), .json(CoinbasePayloads.spot(amount: "0.00")))
            await #expect(throws: PriceFeedError.self) { try await CoinbaseSpotClient(baseURL: base).fetchPrice() }
            server.setRoute(HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot"), .json("not json"))
            await #expect(throws: PriceFeedError.self) { try await CoinbaseSpotClient(baseURL: base).fetchPrice() }
        }
    }

    @Test func timeoutIsATransportError() async throws {
        try await withFixtureServer { server in
            server.setRoute(HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot"),
                            .json(CoinbasePayloads.spot(amount: "1.00"), delay: .seconds(5)))
            do {
                _ = try await CoinbaseSpotClient(baseURL: URL(string: server.httpBaseURL)!, timeout: .milliseconds(200)).fetchPrice()
                Issue.record("expected a timeout")
            } catch let error as PriceFeedError {
                #expect(error.code == .transport)
            }
        }
    }

    @Test func krakenOHLCChangeFigures() async throws {
        try await withFixtureServer { server in
            var closes = Array(repeating: "1.00", count: 30)
            closes[30 - 1] = "66000.00"   // candle −1
            closes[30 - 2] = "60000.00"   // candle −2: +10 %
            closes[30 - 4] = "55000.00"   // candle −4: +20 %
            closes[30 - 25] = "80000.00"  // candle −25: −17.5 %
            server.setRoute(HTTPFixtureRoute("GET", "/0/public/OHLC", query: "pair=XBTUSD&interval=60"),
                            .json(CoinbasePayloads.krakenOHLC(closes: closes, firstTime: 1_700_000_000)))
            let client = KrakenOHLCClient(baseURL: URL(string: server.httpBaseURL)!)
            let candles = try await client.fetchCandles()
            #expect(candles.count == 30)
            #expect(candles[0].time == 1_700_000_000)
            #expect(candles[29].close == USDCents("66000.00"))
            #expect(candles[0].count == 42)
            let change = try await client.fetchPriceChange()
            #expect(abs(change.change1h - 10) < 1e-9)
            #expect(abs(change.change3h - 20) < 1e-9)
            #expect(abs(change.change1d - -17.5) < 1e-9)
            #expect(change.current == USDCents("66000.00"))
            #expect(change.candleTime == 1_700_000_000 + 29 * 3600)
            #expect(throws: PriceFeedError.self) { try PriceChange(candles: Array(candles.prefix(24))) }
        }
    }

    @Test func gapRepairFillsEverySecondOverTwoPages() async throws {
        try await withFixtureServer { server in
            let t0: Int64 = 1_700_000_000
            func ts(_ offset: Int64, _ micros: Int64 = 0) -> String {
                CoinbasePayloads.timestamp(epochMicroseconds: (t0 + offset) * 1_000_000 + micros)
            }
            let page1 = CoinbasePayloads.tradesPage([
                CoinbasePayloads.trade(time: ts(9, 500_000), tradeId: 110, price: "64009.00"),
                CoinbasePayloads.trade(time: ts(7, 200_000), tradeId: 109, price: "64007.00"),
                CoinbasePayloads.trade(time: ts(5, 100_000), tradeId: 108, price: "64005.00"),
            ])
            let page2 = CoinbasePayloads.tradesPage([
                CoinbasePayloads.trade(time: ts(3, 400_000), tradeId: 107, price: "64003.00"),
                CoinbasePayloads.trade(time: ts(0), tradeId: 106, price: "64000.00"),
                CoinbasePayloads.trade(time: ts(-2), tradeId: 105, price: "63998.00"),
            ])
            server.setRoute(HTTPFixtureRoute("GET", "/products/BTC-USD/trades", query: "limit=1000"),
                            .json(page1, headers: [("CB-AFTER", "108"), ("CB-BEFORE", "110")]))
            server.setRoute(HTTPFixtureRoute("GET", "/products/BTC-USD/trades", query: "limit=1000&after=108"),
                            .json(page2, headers: [("CB-AFTER", "105"), ("CB-BEFORE", "107")]))
            server.setRoute(HTTPFixtureRoute("GET", "/products/BTC-USD/trades", query: "limit=1000&after=105"), .json("[]"))
            let repairer = GapRepairer(client: CoinbaseTradesClient(baseURL: URL(string: server.httpBaseURL)!), logger: testLogger)
            let result = try await repairer.repair(t0...(t0 + 9))
            let expected: [String] = ["64000.00", "64000.00", "64000.00", "64003.00", "64003.00",
                                      "64005.00", "64005.00", "64007.00", "64007.00", "64009.00"]
            #expect(result.ticks == expected.enumerated().map {
                PriceTick(second: t0 + Int64($0.offset), price: USDCents($0.element), source: .gapRepair)
            })
            #expect(result.unrepaired.isEmpty)
            #expect(result.pagesFetched == 2)
            #expect(server.requests.map(\.query) == ["limit=1000", "limit=1000&after=108"])

            // A range reaching before the oldest trade reports the seconds it cannot fill.
            let early = try await repairer.repair((t0 - 5)...(t0 + 1))
            #expect(early.pagesFetched == 3)
            #expect(early.unrepaired == [(t0 - 5)...(t0 - 3)])
            #expect(early.ticks.map(\.second) == Array((t0 - 2)...(t0 + 1)))
        }
    }
}
