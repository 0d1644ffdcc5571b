import Foundation
import Logging

/// Serves the bundled replay dataset in both wire formats, for the offline main job
/// (`scripts/run-local --replay`): the Coinbase websocket ticker stream and REST prices, Kraken
/// OHLC, and Kalshi's `GET /trade-api/v2/events/{ticker}` for the current and next hourly events;
/// with `history`, also Kalshi's account and market history (signed requests verified) for
/// kalshi-historical-ingest.
public final class ReplayServer: Sendable {
    public let server: FixtureServer
    public let dataset: ReplayDataset
    public let history: KalshiHistoryFixture?

    /// The Kalshi history the replay feed serves with `--kalshi-public-key`: a day of hourly
    /// markets settled in the past (half before the historical cutoff), with trades, 1- and
    /// 60-minute candlesticks, fills, settlements and positions.
    public static let historyDataset = KalshiHistoryDataset(markets: 24, tradesPerMarket: 60, fills: 80, settlements: 20, positions: 7)

    public static func start(dataset: ReplayDataset, port: Int = 0, ticksPerSecond: Int = 4,
                             history: KalshiHistoryFixture? = nil, logger: Logger) async throws -> ReplayServer {
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
        // Recent trades from the timeline; the history fixture answers its own paths; the live
        // events stay on their routes.
        let trades = ReplayTrades(prices: dataset.prices)
        let events = KalshiHistoryFixture.prefix + "/events/"
        server.setResponder { request in
            if request.path == ReplayTrades.path { return trades.respond(request) }
            if let history, !request.path.hasPrefix(events) { return history.respond(request) }
            return nil
        }
        let replay = ReplayServer(server: server, dataset: dataset, history: history)
        replay.publishKalshiEvents(now: now)
        return replay
    }

    private init(server: FixtureServer, dataset: ReplayDataset, history: KalshiHistoryFixture?) {
        self.server = server
        self.dataset = dataset
        self.history = history
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
