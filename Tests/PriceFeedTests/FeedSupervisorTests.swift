import FixtureServers
import Foundation
import PriceFeed
import StorageKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct FeedSupervisorTests {
    @Test func fallsBackToRESTAndHandsBackToTheWebsocket() async throws {
        try await withFixtureServer(script: TickerScript(prices: ["64000.12"], interval: .milliseconds(50))) { server in
            let base = URL(string: server.httpBaseURL)!
            let spot = HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot")
            server.setRoute(spot, .json(CoinbasePayloads.spot(amount: "64010.00")))
            server.setRoute(HTTPFixtureRoute("GET", "/0/public/Ticker"), .json(CoinbasePayloads.krakenTicker(last: "64020.00000")))
            let supervisor = FeedSupervisor(
                feed: testFeed(server),
                restSources: [CoinbaseSpotClient(baseURL: base, timeout: .milliseconds(500)),
                              KrakenTickerClient(baseURL: base, timeout: .milliseconds(500))],
                sampler: .init(staleAfterSeconds: 30), logger: testLogger)
            var ticks = supervisor.ticks().makeAsyncIterator()
            var all: [PriceTick] = []
            func until(_ what: String, _ match: (PriceTick) -> Bool) async throws -> PriceTick {
                let (tick, seen) = try await next(&ticks, what, where: match)
                all += seen + [tick]
                return tick
            }

            let live = try await until("a websocket second") { $0.source == .coinbaseWebSocket }
            #expect(live.price == USDCents("64000.12"))
            #expect(supervisor.status.currentSource == .coinbaseWebSocket)

            server.setMode(.refuseUpgrade)
            server.dropConnections()
            let fallback = try await until("a Coinbase spot second") { $0.source == .coinbaseSpot }
            #expect(fallback.price == USDCents("64010.00"))
            #expect(supervisor.status.websocketConnected == false)
            #expect(supervisor.status.currentSource == .coinbaseSpot)

            server.setRoute(spot, .json(#"{"message":"down"}"#, status: 503))
            let kraken = try await until("a Kraken second") { $0.source == .krakenTicker }
            #expect(kraken.price == USDCents("64020.00"))

            server.setMode(.streaming)
            let back = try await until("the websocket again") { $0.source == .coinbaseWebSocket }
            #expect(back.price == USDCents("64000.12"))
            #expect(supervisor.status.websocketConnected)
            #expect(supervisor.status.restFailures >= 1)

            // One tick per second, no second twice, none skipped while a price was known.
            let seconds = all.map(\.second)
            #expect(seconds == Array(seconds.first!...seconds.last!))
            #expect(!all.contains { $0.source == .gapRepair })
        }
    }
}
