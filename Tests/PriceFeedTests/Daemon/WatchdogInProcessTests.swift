import FixtureServers
import Foundation
import Logging
import PriceFeed
import ServiceKit
import StorageKit
import Synchronization
import Testing

/// The daemon type run inside the test process, where a simulated clock and direct access to
/// `health()` and `statusLine()` are convenient.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WatchdogInProcessTests {
    static let logger: Logger = {
        var l = Logger(label: "btc-watchdog-tests")
        l.logLevel = .critical
        return l
    }()

    static func makeDaemon(_ config: WatchdogConfig, clock: any WallClock = SystemWallClock()) throws -> BTCPriceWatchdog {
        let services = try ServicesConfig.load(path: try config.write().path)
        let context = DaemonContext(config: services, service: .btcPriceWatchdog, logger: logger,
                                    environment: ProcessInfo.processInfo.environment)
        return try BTCPriceWatchdog(context: context, clock: clock)
    }

    /// 06:00 UTC on the first Sunday of November (01:00 EST, the second pass of the repeated hour),
    /// the next one from now, so the legacy 30-day trim (which counts from the real time) keeps it.
    static func nextFallBack() -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = Date()
        var year = calendar.component(.year, from: now)
        while true {
            let firstOfNovember = calendar.date(from: DateComponents(year: year, month: 11, day: 1, hour: 6))!
            let weekday = calendar.component(.weekday, from: firstOfNovember)  // 1 = Sunday
            let sunday = calendar.date(byAdding: .day, value: (8 - weekday) % 7, to: firstOfNovember)!
            if sunday > now.addingTimeInterval(86_400) { return Int64(sunday.timeIntervalSince1970) }
            year += 1
        }
    }

    @Test func fallBackHourGivesDistinctUTCRowsAndTheLegacyKeys() async throws {
        let fallBack = Self.nextFallBack()
        // Check the premise with the system tz database: an hour before, the same local text.
        #expect(legacyKeyOracle(fallBack) == legacyKeyOracle(fallBack - 3_600))
        let start = fallBack - 3_600 - 3, end = fallBack + 8
        try await withFixtureServer(mode: .refuseUpgrade) { server in
            // No websocket: every second comes from the spot REST poll, timed on the simulated clock.
            WatchdogFixture.configure(server, spot: "64000.00")
            let clock = SimulatedWallClock(start: start, end: end) { second in
                if second == fallBack { server.setRoute(WatchdogFixture.spotRoute, .json(CoinbasePayloads.spot(amount: "64100.00"))) }
            }
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, pg in
                    let config = WatchdogConfig(writers: ["sqlite", "json", "postgres"], primary: "sqlite", directory: dir,
                                                schema: schema.name, server: server, options: ["stale_after_seconds": 5])
                    let daemon = try Self.makeDaemon(config, clock: clock)
                    try await daemon.prepare()
                    let run = Task { try await daemon.run() }
                    for await _ in clock.finished { break }
                    run.cancel()
                    _ = await run.result
                    try await daemon.shutdown()

                    // PostgreSQL: every simulated second once, by UTC instant; both passes of 01:xx are there.
                    let rows = try await TestPostgres.priceHistory(schema, pg)
                    let seconds = rows.map(\.second)
                    #expect(seconds.count > 3_600)
                    #expect(seconds == Array(seconds.first!...seconds.last!))
                    #expect(seconds.first! <= fallBack - 3_600 && seconds.last! >= fallBack + 5)
                    let byInstant = Dictionary(uniqueKeysWithValues: rows.map { ($0.second, $0.price) })
                    for k in Int64(0)..<5 {
                        #expect(byInstant[fallBack - 3_600 + k] == "64000.00")  // 01:00:0k EDT
                        #expect(byInstant[fallBack + k] == "64100.00")          // 01:00:0k EST
                    }

                    // SQLite: the keys the legacy code produced for these instants; where both passes
                    // wrote a key, INSERT OR REPLACE kept the later (EST) one.
                    let legacy = try WatchdogProcessTests.legacyRows(config.sqlitePath)
                    #expect(Set(legacy.keys) == Set(seconds.map(legacyKeyOracle)))
                    let repeated = seconds.filter { $0 >= fallBack }.map(legacyKeyOracle)
                    #expect(legacy.count == seconds.count - repeated.count)
                    for key in repeated { #expect(legacy[key] == "64100.0", "\(key)") }
                    #expect(legacy[legacyKeyOracle(fallBack - 1)] == "64000.0")  // 01:59:59 EDT
                    #expect(repeated.first == String(legacyKeyOracle(fallBack - 3_600)))

                    // Derived columns through the fall-back: 5 s after the move every delta is +0.15625 %.
                    let derived = try sqlite3CLI(config.sqlitePath,
                        "SELECT delta_1m, delta_30m, momentum FROM price_log WHERE timestamp = '\(legacyKeyOracle(fallBack + 5))'")
                    let figures = derived.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Double($0) }
                    #expect(figures.count == 3 && figures.allSatisfy { abs($0 - 0.15625) < 1e-9 }, "\(derived)")

                    // Heartbeat: the legacy line of the last recorded second (an EST 01:00:xx text).
                    let heartbeat = try String(contentsOf: dir.appendingPathComponent("btc_logger_heartbeat.txt"), encoding: .utf8)
                    #expect(heartbeat == "\(legacyKeyOracle(seconds.last!)) BTC logger alive\n")
                }
            }
        }
    }

    @Test func staleFeedFailsHealthAndSaysSoInStatus() async throws {
        try await withFixtureServer(script: TickerScript(prices: ["64000.12"], interval: .milliseconds(50))) { server in
            WatchdogFixture.configure(server)
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, pg in
                    let config = WatchdogConfig(writers: ["postgres"], primary: "postgres", directory: dir, schema: schema.name,
                                                server: server, options: ["stale_after_seconds": 1, "silence_timeout_seconds": 60])
                    let daemon = try Self.makeDaemon(config)
                    try await daemon.prepare()
                    let run = Task { try await daemon.run() }
                    try await WatchdogProcessTests.waitFor("rows stored") { try await TestPostgres.priceHistory(schema, pg).count >= 2 }
                    #expect(await daemon.health() == .healthy)
                    #expect(await daemon.statusLine().contains("source coinbase_ws"))

                    // The socket stays open but no trade arrives: carried forward for 1 s, then stale.
                    server.setMode(.silent)
                    try await WatchdogProcessTests.waitFor("stale") { daemon.supervisor.status.isStale }
                    let health = await daemon.health()
                    #expect(health != .healthy)
                    if case .unhealthy(let reason) = health { #expect(reason.contains("stale")) }
                    #expect(await daemon.statusLine().hasPrefix("STALE"))
                    let before = try await TestPostgres.priceHistory(schema, pg)
                    #expect(before.contains { $0.source == "carried_forward" })

                    // Trades again: recording and health resume.
                    server.setMode(.streaming)
                    try await WatchdogProcessTests.waitFor("recovery") { await daemon.health() == .healthy }
                    let recovered = await daemon.statusLine()
                    #expect(!recovered.contains("STALE"))
                    run.cancel()
                    _ = await run.result
                    try await daemon.shutdown()
                }
            }
        }
    }
}
