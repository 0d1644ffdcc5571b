import Foundation
import Logging

/// Serves the bundled replay dataset in both wire formats, for the offline main job
/// (`scripts/run-local --replay`): the Coinbase websocket ticker stream and REST prices, Kraken
/// OHLC, and Kalshi's `GET /trade-api/v2/events/{ticker}` for the current and next hourly events.
public final class ReplayServer: Sendable {
    public let server: FixtureServer
    public let dataset: ReplayDataset

    public static func start(dataset: ReplayDataset, port: Int = 0, ticksPerSecond: Int = 4, logger: Logger) async throws -> ReplayServer {
        let script = TickerScript(prices: dataset.prices, interval: .milliseconds(1000 / max(1, ticksPerSecond)), heartbeatInterval: .seconds(1))
        let server = try await FixtureServer.start(port: port, script: script, logger: logger)
        let first = dataset.prices[0]
        server.setRoute(HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot"), .json(CoinbasePayloads.spot(amount: first)))
        server.setRoute(HTTPFixtureRoute("GET", "/0/public/Ticker"), .json(CoinbasePayloads.krakenTicker(last: first)))
        // Thirty hourly candles whose closes walk through the dataset.
        let step = max(1, dataset.prices.count / 30)
        let closes = stride(from: 0, to: step * 30, by: step).map { dataset.prices[$0 % dataset.prices.count] }
        let now = Int64(Date().timeIntervalSince1970)
        server.setRoute(HTTPFixtureRoute("GET", "/0/public/OHLC"),
                        .json(CoinbasePayloads.krakenOHLC(closes: closes, firstTime: (now / 3600 - 29) * 3600)))
        server.setRoute(HTTPFixtureRoute("GET", "/products/BTC-USD/trades"), .json("[]"))
        let replay = ReplayServer(server: server, dataset: dataset)
        replay.publishKalshiEvents(now: now)
        return replay
    }

    private init(server: FixtureServer, dataset: ReplayDataset) {
        self.server = server
        self.dataset = dataset
    }

    /// Registers the events closing at the next four tops of the hour.
    public func publishKalshiEvents(now: Int64) {
        let nextClose = (now / 3600 + 1) * 3600
        for hour in 0..<4 {
            let event = dataset.kalshiEvent(closeEpoch: nextClose + Int64(hour) * 3600)
            server.setRoute(HTTPFixtureRoute("GET", "/trade-api/v2/events/\(event.ticker)"), .json(event.body))
        }
    }

    /// Keeps the Kalshi events current until cancelled.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            publishKalshiEvents(now: Int64(Date().timeIntervalSince1970))
        }
    }

    public var port: Int { server.port }
}
