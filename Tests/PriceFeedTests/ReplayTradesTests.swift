import FixtureServers
import Foundation
import Logging
import StorageKit
import Testing
@testable import PriceFeed

/// The replay server's recent trades, read by the watchdog's own gap-repair client: a trade for
/// every second of the recent past, newest first, paged with `after` / `CB-AFTER` like Coinbase.
@Suite(.timeLimit(.minutes(1)))
struct ReplayTradesTests {
    static let replayData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Resources/replay")

    @Test func everyRecentSecondHasOneTradePagedOlderAndOlder() async throws {
        let dataset = try ReplayDataset(directory: Self.replayData.path)
        let replay = try await ReplayServer.start(dataset: dataset, logger: Logger(label: "replay", factory: { _ in SwiftLogNoOpLogHandler() }))
        let client = CoinbaseTradesClient(baseURL: URL(string: replay.server.httpBaseURL)!, pageSize: 100)
        let before = Int64(Date().timeIntervalSince1970)
        let first = try await client.fetchPage()
        let cursor = try #require(first.nextCursor)
        let second = try await client.fetchPage(after: cursor)
        let trades = first.trades + second.trades
        #expect(trades.count == 200)
        let seconds = trades.map { $0.time.epochMicroseconds / 1_000_000 }
        // One per second, consecutive and newest first across both pages, ending at (about) now.
        #expect(zip(seconds, seconds.dropFirst()).allSatisfy { $0 - $1 == 1 })
        #expect(abs(seconds[0] - before) <= 2)
        #expect(trades.allSatisfy { $0.time.epochMicroseconds % 1_000_000 == 250_000 && $0.tradeId == $0.time.epochMicroseconds / 1_000_000 })
        // Priced from the dataset's timeline.
        let s = seconds[17]
        let expected = try #require(USDCents(decimalString: dataset.prices[Int(s % Int64(dataset.prices.count))]))
        #expect(trades[17].price == expected)
        await replay.server.shutdown()
    }
}
