import FixtureServers
import Foundation
import NetworkKit
import NIOCore
import NIOWebSocket
import PriceFeed
import ServiceKit
import StorageKit
import Synchronization
import Testing

/// The websocket is read in batches (`WebSocketSession`, `readInterval`): what arrives within one
/// interval is read by one wake-up, in order, none lost; control frames are still answered; and
/// the per-second loop waits long enough that a trade still in the socket at a second's end is
/// counted in that second.
@Suite(.timeLimit(.minutes(1))) struct BatchedReadTests {
    func isTrade(_ e: CoinbaseFeedEvent) -> Bool { if case .trade = e { true } else { false } }
    func isDisconnected(_ e: CoinbaseFeedEvent) -> Bool { if case .disconnected = e { true } else { false } }

    func ticker(_ id: Int64, price: String = "64000.00", time: String = "2024-03-01T12:00:00.250000Z") -> String {
        CoinbasePayloads.ticker(price: price, tradeId: id, sequence: 1000 + id, time: time)
    }

    func feed(_ server: FixtureServer, readInterval: Duration,
              grace: Duration = CoinbaseTickerFeed.Configuration.defaultBatchedSecondCloseGrace) -> CoinbaseTickerFeed {
        CoinbaseTickerFeed(configuration: .init(
            url: server.webSocketURL, backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
            closeTimeout: .milliseconds(200), readInterval: readInterval, batchedSecondCloseGrace: grace), logger: testLogger)
    }

    /// Messages sent 5 ms apart, all within one long read interval, come out of one socket read as
    /// one batch, in the order sent. Read as they arrive (the old way) they would be twenty.
    @Test func messagesWithinOneIntervalAreReadTogetherInOrder() async throws {
        try await withFixtureServer(mode: .silent) { server in
            let configuration = WebSocketSession.Configuration(readInterval: .milliseconds(800))
            try await WebSocketSession.run(url: server.webSocketURL, configuration: configuration,
                                           eventLoop: DaemonEventLoop.group.next()) { connection in
                try await connection.send(text: #"{"type":"subscribe"}"#)
                try await eventually("subscribe received") { server.receivedTexts.count == 1 }
                var batches = connection.inbound.makeAsyncIterator()
                server.send("first")
                let first = try #require(try await batches.next())
                #expect(first.map(Self.text) == ["first"])
                // The socket was just read: the next read is at least 800 ms away.
                for i in 0..<20 {
                    server.send("burst \(i)")
                    try await Task.sleep(for: .milliseconds(5))
                }
                let burst = try #require(try await batches.next())
                #expect(burst.map(Self.text) == (0..<20).map { "burst \($0)" })
            }
            #expect(server.unmaskedClientFrames == 0)
        }
    }

    /// A burst of 500 tickers reaches the feed's consumer complete and in trade-id order.
    @Test func aBurstLosesNothing() async throws {
        try await withFixtureServer(mode: .silent) { server in
            let feed = feed(server, readInterval: .milliseconds(50))
            var events = feed.events().makeAsyncIterator()
            _ = try await next(&events, "connected", where: { $0 == .connected })
            try await eventually("subscribe received") { server.receivedTexts.count == 1 }
            for id in Int64(1)...500 { server.send(ticker(id)) }
            var ids: [Int64] = []
            while ids.count < 500 {
                let (event, _) = try await next(&events, "trade \(ids.count + 1)", where: isTrade)
                if case .trade(let trade) = event, let id = trade.tradeId { ids.append(id) }
            }
            #expect(ids == Array(1...500))
            #expect(feed.counters.tradesYielded == 500)
            #expect(feed.counters.duplicateOrOutOfOrder == 0)
        }
    }

    /// A ping is answered with a masked pong carrying its payload, between trades, without
    /// disturbing them.
    @Test func pingIsAnsweredWithAMaskedPong() async throws {
        try await withFixtureServer(mode: .silent) { server in
            let feed = feed(server, readInterval: .milliseconds(20))
            var events = feed.events().makeAsyncIterator()
            _ = try await next(&events, "connected", where: { $0 == .connected })
            try await eventually("subscribe received") { server.receivedTexts.count == 1 }
            server.send(ticker(1))
            server.sendPing([1, 2, 3, 4])
            server.send(ticker(2))
            let (a, _) = try await next(&events, "trade 1", where: isTrade)
            let (b, skipped) = try await next(&events, "trade 2", where: isTrade)
            #expect(skipped.isEmpty)
            guard case .trade(let ta) = a, case .trade(let tb) = b else { return }
            #expect([ta.tradeId, tb.tradeId] == [1, 2])
            try await eventually("pong") { server.receivedPongs.count == 1 }
            #expect(server.receivedPongs == [[1, 2, 3, 4]])
            #expect(server.unmaskedClientFrames == 0)
        }
    }

    /// A close from the server is answered with its status code, ends the session with that
    /// status in the reason, and the feed reconnects.
    @Test func serverCloseIsAnsweredAndTheFeedReconnects() async throws {
        try await withFixtureServer(mode: .silent) { server in
            let feed = feed(server, readInterval: .milliseconds(20))
            var events = feed.events().makeAsyncIterator()
            _ = try await next(&events, "connected", where: { $0 == .connected })
            try await eventually("subscribe received") { server.receivedTexts.count == 1 }
            server.sendClose(code: 1001, reason: "going away")
            let (gone, _) = try await next(&events, "disconnect", where: isDisconnected)
            guard case .disconnected(let reason) = gone else { return }
            #expect(reason == "closed by server (1001: going away)")
            try await eventually("close answered") { server.receivedCloseCodes == [1001] }
            _ = try await next(&events, "connected again", where: { $0 == .connected })
            try await eventually("subscribed again") { server.receivedTexts.count == 2 }
            #expect(server.unmaskedClientFrames == 0)
        }
    }

    /// When the feed ends a session itself (silence), it sends a masked close (1000) first.
    @Test func theFeedSaysGoodbyeWhenItEndsASession() async throws {
        try await withFixtureServer(mode: .silent) { server in
            let feed = CoinbaseTickerFeed(configuration: .init(
                url: server.webSocketURL, silenceTimeout: .milliseconds(300),
                backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
                closeTimeout: .milliseconds(200), readInterval: .milliseconds(20)), logger: testLogger)
            var events = feed.events().makeAsyncIterator()
            _ = try await next(&events, "connected", where: { $0 == .connected })
            let (gone, _) = try await next(&events, "disconnect", where: isDisconnected)
            guard case .disconnected(let reason) = gone else { return }
            #expect(reason.contains("silent"))
            try await eventually("close received") { server.receivedCloseCodes.contains(1000) }
            #expect(server.unmaskedClientFrames == 0)
        }
    }

    /// A trade that happens 40 ms before a second ends, while a message read 100 ms before the
    /// end holds the next read back by the 250 ms interval, is still that second's price: the
    /// socket is read again right after the second ends, and the per-second loop closes the second
    /// `secondCloseGrace` after its end, once that read was handed over. (Without the read at the
    /// boundary the trade would be read 150 ms into the next second and counted there; the grace is
    /// 50 ms here, not the default 3, so a slow test machine cannot make the test flaky.)
    @Test func aTradeJustBeforeTheBoundaryLandsInItsSecond() async throws {
        try await withFixtureServer(mode: .silent) { server in
            let feed = feed(server, readInterval: .milliseconds(250), grace: .milliseconds(50))
            #expect(feed.secondCloseGrace == .milliseconds(50))
            let supervisor = FeedSupervisor(feed: feed, restSources: [], logger: testLogger)
            var ticks = supervisor.ticks().makeAsyncIterator()
            try await eventually("subscribe received") { server.receivedTexts.count == 1 }
            let clock = SystemWallClock()
            // The end of a second at least a second away.
            let second = clock.now().second + 2
            let end = (second + 1) * 1_000_000
            try await clock.sleep(until: TradeTime(epochMicroseconds: end - 100_000))
            server.send(CoinbasePayloads.heartbeat(sequence: 1, lastTradeId: 6, time: clock.now().description))
            try await clock.sleep(until: TradeTime(epochMicroseconds: end - 40_000))
            server.send(ticker(7, price: "64123.45", time: clock.now().description))
            let (tick, _) = try await next(&ticks, "the tick of second \(second)", where: { $0.second >= second })
            #expect(tick.second == second)
            #expect(tick.price == USDCents("64123.45"))
            #expect(tick.source == .coinbaseWebSocket)
            #expect(supervisor.status.sampler.late == 0)
        }
    }

    static func text(_ frame: WebSocketFrame) -> String { String(buffer: frame.unmaskedData) }
}

/// `read_interval_milliseconds` in `services.btc_price_watchdog.options`.
@Suite struct ReadIntervalOptionTests {
    @Test func theReadIntervalIsConfigurableAndChecked() throws {
        let defaults = try BTCPriceWatchdogOptionsTests.service("{}")
        #expect(try BTCPriceWatchdogOptions(defaults.service(.btcPriceWatchdog), file: defaults.file).readIntervalMilliseconds
            == CoinbaseTickerFeed.Configuration.defaultReadIntervalMilliseconds)
        // The interval stays out of the time a second's row takes to become durable (p99 ≤ 20 ms)
        // only because the socket is also read at every second's end; keep it well below a second.
        #expect(CoinbaseTickerFeed.Configuration.defaultReadIntervalMilliseconds <= 20)

        for value: Int64 in [0, 8, 100] {
            let config = try BTCPriceWatchdogOptionsTests.service(#"{"read_interval_milliseconds": \#(value)}"#)
            #expect(try BTCPriceWatchdogOptions(config.service(.btcPriceWatchdog), file: config.file).readIntervalMilliseconds == value)
        }
        for bad in ["101", "-1", "2.5", #""5""#] {
            let config = try BTCPriceWatchdogOptionsTests.service(#"{"read_interval_milliseconds": \#(bad)}"#)
            let error = #expect(throws: ConfigError.self) { try BTCPriceWatchdogOptions(config.service(.btcPriceWatchdog), file: config.file) }
            #expect(error?.path == "$.services.btc_price_watchdog.options.read_interval_milliseconds")
        }
    }

    @Test func theGraceIsShortAndOnlyWhenReadsAreBatched() {
        let feed = CoinbaseTickerFeed(configuration: .init(readInterval: .zero), logger: testLogger)
        #expect(feed.secondCloseGrace == .zero)
        let paced = CoinbaseTickerFeed(configuration: .init(readInterval: .milliseconds(50)), logger: testLogger)
        #expect(paced.secondCloseGrace == CoinbaseTickerFeed.Configuration.defaultBatchedSecondCloseGrace)
        #expect(paced.secondCloseGrace < .milliseconds(10))  // a row is durable soon after its second
    }
}
