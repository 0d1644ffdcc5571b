import FixtureServers
import PriceFeed
import StorageKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct CoinbaseTickerFeedTests {
    func isTrade(_ e: CoinbaseFeedEvent) -> Bool { if case .trade = e { true } else { false } }
    func isDisconnected(_ e: CoinbaseFeedEvent) -> Bool { if case .disconnected = e { true } else { false } }

    @Test func subscribesExactlyAndDecodesTrades() async throws {
        let script = TickerScript(prices: ["64000.12000000", "64001.5"], interval: .milliseconds(20), firstTradeId: 500)
        try await withFixtureServer(script: script) { server in
            let feed = testFeed(server)
            var events = feed.events().makeAsyncIterator()
            let (first, before) = try await next(&events, "first trade", where: isTrade)
            #expect(before == [.connected])
            let (second, _) = try await next(&events, "second trade", where: isTrade)
            guard case .trade(let a) = first, case .trade(let b) = second else { return }
            #expect(a.price == USDCents(cents: 6_400_012))
            #expect(a.tradeId == 500)
            #expect(a.source == .coinbaseWebSocket)
            #expect(b.price == USDCents(cents: 6_400_150))
            #expect(b.tradeId == 501)
            #expect(b.time >= a.time)
            #expect(server.receivedTexts.first == #"{"type":"subscribe","channels":[{"name":"ticker","product_ids":["BTC-USD"]}]}"#)
            #expect(server.receivedTexts.count == 1)
        }
    }

    @Test func reconnectsAfterAbruptClose() async throws {
        try await withFixtureServer(script: TickerScript(interval: .milliseconds(20))) { server in
            let feed = testFeed(server)
            var events = feed.events().makeAsyncIterator()
            _ = try await next(&events, "trade", where: isTrade)
            server.dropConnections()
            _ = try await next(&events, "disconnect", where: isDisconnected)
            let (_, between) = try await next(&events, "trade after reconnect", where: isTrade)
            #expect(between.contains(.connected))
            #expect(server.acceptedConnections == 2)
            #expect(feed.counters.connections == 2)
            #expect(server.receivedTexts.count == 2)  // subscribed again
        }
    }

    @Test func reconnectsAfterSilence() async throws {
        try await withFixtureServer(script: TickerScript(interval: .milliseconds(20))) { server in
            let feed = testFeed(server, silence: .milliseconds(300))
            var events = feed.events().makeAsyncIterator()
            _ = try await next(&events, "trade", where: isTrade)
            server.setMode(.silent)
            let (gone, _) = try await next(&events, "disconnect", where: isDisconnected)
            guard case .disconnected(let reason) = gone else { return }
            #expect(reason.contains("silent"))
            server.setMode(.streaming)
            _ = try await next(&events, "trade after reconnect", where: isTrade)
            #expect(feed.counters.connections >= 2)
        }
    }

    @Test func dropsMalformedInvalidDuplicateAndOutOfOrder() async throws {
        try await withFixtureServer(mode: .silent) { server in
            let feed = testFeed(server)
            var events = feed.events().makeAsyncIterator()
            _ = try await next(&events, "connected", where: { $0 == .connected })
            try await eventually("subscribe received") { server.receivedTexts.count == 1 }
            let time = "2024-03-01T12:00:00.250000Z"
            func ticker(_ id: Int64, _ price: String = "64000.00", product: String = "BTC-USD") -> String {
                CoinbasePayloads.ticker(price: price, tradeId: id, sequence: 1000 + id, time: time, productId: product)
            }
            for text in [
                ticker(100),
                "{not json",
                ticker(100),                     // duplicate
                ticker(99),                      // out of order
                ticker(101, "abc"),              // non-numeric
                ticker(102, "0.00"),             // zero
                ticker(103, product: "ETH-USD"), // wrong product
                CoinbasePayloads.error(message: "Failed to subscribe", reason: "test"),
                CoinbasePayloads.heartbeat(sequence: 5, lastTradeId: 100, time: time),
                #"{"type":"status","products":[]}"#,
                ticker(104, "64010.00"),
            ] { server.send(text) }
            let (a, _) = try await next(&events, "trade 100", where: isTrade)
            let (b, skipped) = try await next(&events, "trade 104", where: isTrade)
            #expect(skipped.isEmpty)
            guard case .trade(let ta) = a, case .trade(let tb) = b else { return }
            #expect(ta.tradeId == 100)
            #expect(tb.tradeId == 104)
            #expect(tb.price == USDCents("64010.00"))
            let c = feed.counters
            #expect(c.duplicateOrOutOfOrder == 2)
            #expect(c.malformed == 1)
            #expect(c.invalidPrice == 2)
            #expect(c.wrongProduct == 1)
            #expect(c.serverErrors == 1)
            #expect(c.heartbeats == 1)
            #expect(c.unknownTypes == 1)
            #expect(c.tradesYielded == 2)
        }
    }

    /// The feed reads frames itself now: a text message split over a text frame and continuation
    /// frames is joined and decoded, a binary message (whole or fragmented) is skipped, and a
    /// continuation frame outside a message ends the session, which reconnects.
    @Test func joinsFragmentedTextAndSkipsBinary() async throws {
        try await withFixtureServer(mode: .silent) { server in
            let feed = testFeed(server)
            var events = feed.events().makeAsyncIterator()
            _ = try await next(&events, "connected", where: { $0 == .connected })
            try await eventually("subscribe received") { server.receivedTexts.count == 1 }
            let time = "2024-03-01T12:00:00.250000Z"
            server.sendFrames(text: CoinbasePayloads.ticker(price: "64000.10", tradeId: 200, sequence: 1, time: time), fragments: 4)
            server.sendFrames(binary: Array(CoinbasePayloads.ticker(price: "1.00", tradeId: 201, sequence: 2, time: time).utf8), fragments: 1)
            server.sendFrames(binary: Array(CoinbasePayloads.ticker(price: "1.00", tradeId: 202, sequence: 3, time: time).utf8), fragments: 3)
            server.sendFrames(text: CoinbasePayloads.ticker(price: "64000.30", tradeId: 203, sequence: 4, time: time), fragments: 1)
            let (a, _) = try await next(&events, "fragmented trade 200", where: isTrade)
            let (b, skipped) = try await next(&events, "trade 203", where: isTrade)
            #expect(skipped.isEmpty)
            guard case .trade(let ta) = a, case .trade(let tb) = b else { return }
            #expect(ta.tradeId == 200 && ta.price == USDCents(cents: 6_400_010))
            #expect(tb.tradeId == 203 && tb.price == USDCents(cents: 6_400_030))
            #expect(feed.counters.messages == 2)
            #expect(feed.counters.malformed == 0)

            server.sendContinuationFrame(Array("{}".utf8))
            let (end, _) = try await next(&events, "session ended", where: isDisconnected)
            guard case .disconnected(let reason) = end else { return }
            #expect(reason.contains("continuation frame"))
        }
    }
}
