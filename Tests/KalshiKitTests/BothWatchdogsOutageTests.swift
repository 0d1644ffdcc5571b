import FixtureServers
import Foundation
import StorageKit
import Testing
@testable import KalshiKit

/// The real `btc-price-watchdog` and `kalshi-api-watchdog` side by side, both with PostgreSQL (a
/// private cluster this suite owns) as primary behind the spool, a fixture Coinbase feed and a
/// fixture Kalshi API, each with its own notify socket and `WATCHDOG_USEC` = 4 s:
///
/// - the server stopped for `RECIO_FAULT_OUTAGE_SECONDS` (10 s in CI, 60 s in `scripts/fault-tests`)
///   and started again while both run;
/// - both daemons started while the server is down (`RECIO_FAULT_START_DOWN_SECONDS`, 10 s), on a
///   cluster that has never been migrated.
///
/// Asserted: every second and snapshot either daemon acknowledged (logged `stored` or `spooled`) is
/// in PostgreSQL exactly once and the price history has no hole; neither daemon exits; consecutive
/// `WATCHDOG=1` pings of each stay under half `WATCHDOG_USEC` apart (systemd kills at the whole);
/// `STATUS=` shows the backlog (or the wait for the stores) while the server is down and clears
/// after. Each test prints a `FAULT …` line with its figures.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct BothWatchdogsOutageTests {
    static let environment = ProcessInfo.processInfo.environment
    static var outageSeconds: Int { environment["RECIO_FAULT_OUTAGE_SECONDS"].flatMap(Int.init) ?? 10 }
    static var startDownSeconds: Int { environment["RECIO_FAULT_START_DOWN_SECONDS"].flatMap(Int.init) ?? 10 }
    static let watchdog = Duration.seconds(4)
    /// 50 ticks a second.
    static let feed = TickerScript(prices: ["64000.12", "64000.55", "63999.99", "64001.00"], interval: .milliseconds(20))
    static let schema = "user_0001"

    // MARK: - The rig

    /// Both daemons against one fixture server and one private cluster.
    struct Rig {
        let cluster: PrivatePostgresCluster
        let price: ProductDaemon
        let market: ProductDaemon
        var daemons: [ProductDaemon] { [price, market] }

        var prices: AcknowledgedKeys { AcknowledgedKeys(log: price.log, dataset: "price_history") }
        var snapshots: AcknowledgedKeys { AcknowledgedKeys(log: market.log, dataset: "market_snapshots") }

        /// Sets the phase both notify recorders tag arrivals with.
        func phase(_ phase: Int) { for d in daemons { d.notifications.phase = phase } }

        func connection() -> PostgresConnection {
            PostgresConnection(configuration: PostgresConfiguration(connectionString: cluster.connectionString, applicationName: "recio-outage-test",
                                                                    reconnect: TestPostgres.reconnect), logger: TestPostgres.logger)
        }

        /// Both logs' tails, for failure messages.
        var logs: String { daemons.map { "--- \($0.product)\n\($0.log.suffix(2500))" }.joined(separator: "\n") }
    }

    /// Starts a fixture server and a private cluster (left stopped when `startDown`), writes the
    /// config (with a `spool_dir` when `spool`), starts both daemons, runs `body`, and always stops everything.
    static func withRig(startDown: Bool, spool: Bool = true, _ body: (Rig) async throws -> Void) async throws {
        let server = try await FixtureServer.start(script: feed)
        server.setRoute(HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot"), .json(CoinbasePayloads.spot(amount: "64010.00")))
        server.setRoute(HTTPFixtureRoute("GET", "/0/public/Ticker"), .json(CoinbasePayloads.krakenTicker(last: "64020.00000")))
        server.setRoute(HTTPFixtureRoute("GET", "/0/public/OHLC"), .json(CoinbasePayloads.krakenOHLC(closes: Array(repeating: "64000.00000", count: 25))))
        let now = Int64(Date().timeIntervalSince1970)
        var event = EventTicker(series: "KXBTCD", at: now)
        for _ in 0..<4 {
            server.setRoute(HTTPFixtureRoute("GET", "/trade-api/v2/events/\(event)"), .json(KalshiFixtures.eventResponse(event, markets: 3, form: .both)))
            event = event.next
        }
        do {
            try await withTemporaryDirectory { dir in
                try await PrivatePostgresCluster.with { cluster in
                    if startDown { try await cluster.stop() }
                    let config = dir.appendingPathComponent("services.json")
                    let spoolDirectory = spool ? "\"spool_dir\": \"\(dir.appendingPathComponent("spool").path)\"," : ""
                    let text = """
                        {"postgres": {"conninfo": "\(cluster.connectionString)", "schema": "\(schema)"},
                         \(spoolDirectory)
                         "services": {
                           "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres",
                                                  "options": {"websocket_url": "\(server.webSocketURL)", "coinbase_spot_url": "\(server.httpBaseURL)",
                                                              "kraken_url": "\(server.httpBaseURL)", "coinbase_exchange_url": "\(server.httpBaseURL)",
                                                              "silence_timeout_seconds": 2}},
                           "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres",
                                                   "options": {"base_url": "\(server.httpBaseURL)/trade-api/v2", "poll_interval_seconds": 1}},
                           "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres"},
                           "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}}}
                        """
                    try Data(text.utf8).write(to: config)
                    let debug = ["RECIO_LOG_LEVEL": "debug"]
                    let price = try ProductDaemon("btc-price-watchdog", config: config, directory: dir, watchdog: watchdog, environment: debug)
                    let market = try ProductDaemon("kalshi-api-watchdog", config: config, directory: dir, watchdog: watchdog, environment: debug)
                    try await body(Rig(cluster: cluster, price: price, market: market))
                }
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    static func waitFor(_ what: String, _ rig: Rig, within: Duration = .seconds(90), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + within
        while !(try await condition()) {
            try #require(ContinuousClock.now < deadline, "timed out waiting for \(what)\n\(rig.logs)")
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Stored price seconds (as text, like the acknowledged keys), their row count, and the holes
    /// between the first and the last.
    static func storedSeconds(_ pg: PostgresConnection) async throws -> (keys: Set<String>, rows: Int, holes: Int, first: Int64?) {
        let result = try await pg.query("SELECT extract(epoch FROM ts)::bigint::text FROM \(schema).price_history ORDER BY ts")
        let seconds = result.rows.compactMap { $0[0].flatMap { Int64($0) } }
        let keys = Set(seconds.map(String.init))
        let holes = seconds.count < 2 ? 0 : Int(seconds.last! - seconds.first! + 1) - keys.count
        return (keys, seconds.count, holes, seconds.first)
    }

    /// The acknowledged keys of both daemons are all in PostgreSQL (with something spooled by each).
    static func everythingStored(_ rig: Rig, _ pg: PostgresConnection) async -> Bool {
        let prices = rig.prices, snapshots = rig.snapshots
        guard !prices.spooled.isEmpty, !snapshots.spooled.isEmpty,
              let seconds = try? await storedSeconds(pg), let keys = try? await WatchdogOutageTests.storedKeys(pg) else { return false }
        return prices.all.isSubset(of: seconds.keys) && snapshots.all.isSubset(of: keys.keys)
    }

    /// The latest `STATUS=` of a daemon.
    static func lastStatus(_ daemon: ProductDaemon) -> String { daemon.notifications.statuses.last ?? "" }

    /// Stops both daemons (SIGTERM, expecting exit 0), then asserts and reports what both tests share:
    /// exactly-once storage, no hole, the ping gaps, no withheld pings.
    static func finish(_ rig: Rig, test: String, fault: String) async throws {
        // The ping record ends here: after SIGTERM the pinger stops by design.
        let pings = rig.daemons.map { $0.notifications.pings }
        for daemon in rig.daemons {
            #expect(daemon.isRunning, "\(daemon.product) exited\n\(rig.logs)")
            #expect(await daemon.terminate() == 0, "\(daemon.product) did not stop cleanly\n\(rig.logs)")
        }
        let pg = rig.connection()
        let seconds = try await storedSeconds(pg)
        let keys = try await WatchdogOutageTests.storedKeys(pg)
        await pg.close()
        let prices = rig.prices, snapshots = rig.snapshots
        let missingSeconds = prices.all.subtracting(seconds.keys), missingSnapshots = snapshots.all.subtracting(keys.keys)
        let gaps = pings.map { String(format: "%.2f", Double($0.largestGap.components.seconds) + Double($0.largestGap.components.attoseconds) / 1e18) }
        print("FAULT \(test) \(fault) seconds_acknowledged=\(prices.all.count) seconds_spooled=\(prices.spooled.count) seconds_found=\(prices.all.count - missingSeconds.count) seconds_duplicates=\(seconds.rows - seconds.keys.count) holes=\(seconds.holes) snapshots_acknowledged=\(snapshots.all.count) snapshots_spooled=\(snapshots.spooled.count) snapshots_found=\(snapshots.all.count - missingSnapshots.count) snapshots_duplicates=\(keys.rows - keys.keys.count) pings=\(pings[0].count)/\(pings[1].count) max_ping_gap_s=\(gaps[0])/\(gaps[1]) watchdog_s=\(watchdog.components.seconds)")
        #expect(missingSeconds.isEmpty, "seconds acknowledged but not stored: \(missingSeconds.sorted().prefix(20))")
        #expect(missingSnapshots.isEmpty, "snapshots acknowledged but not stored: \(missingSnapshots.sorted().prefix(10))")
        #expect(seconds.rows == seconds.keys.count, "duplicate price seconds")
        #expect(keys.rows == keys.keys.count, "duplicate snapshots")
        #expect(seconds.holes == 0, "seconds missing between the first and the last stored one")
        for (daemon, ping) in zip(rig.daemons, pings) {
            #expect(ping.count >= 5, "\(daemon.product) sent \(ping.count) pings")
            #expect(ping.largestGap < watchdog / 2, "\(daemon.product): \(ping.largestGap) between two pings (WATCHDOG_USEC 4 s)")
            let withheld = daemon.log.split(separator: "\n").filter { $0.contains("withholding systemd watchdog pings") }
            #expect(withheld.isEmpty, "\(daemon.product): \(withheld)")
            #expect(daemon.notifications.count(containing: "READY=1") == 1, "\(daemon.product) did not report ready exactly once")
        }
    }

    // MARK: - Outage while both run

    @Test func aPostgresOutageUnderBothWatchdogsLosesNothingAndNeitherMissesAPing() async throws {
        try await Self.withRig(startDown: false) { rig in
            try await Self.waitFor("both daemons storing", rig) { rig.prices.stored.count >= 3 && rig.snapshots.stored.count >= 6 }

            rig.phase(1)
            try await rig.cluster.stop()
            try await Task.sleep(for: .seconds(Self.outageSeconds))  // the outage itself
            for daemon in rig.daemons {
                #expect(daemon.isRunning, "\(daemon.product) exited during the outage\n\(rig.logs)")
                #expect(daemon.notifications.count(containing: "WATCHDOG=1", phase: 1) >= Self.outageSeconds / 2, "\(daemon.product) stopped pinging")
                #expect(daemon.notifications.messages.contains { $0.phase == 1 && $0.text.contains("STATUS=") && $0.text.contains("spooled") },
                        "\(daemon.product): STATUS= did not show the backlog")
            }
            try await rig.cluster.start()
            rig.phase(2)

            let pg = rig.connection()
            try await Self.waitFor("every acknowledged second and snapshot in PostgreSQL", rig, within: .seconds(150)) {
                await Self.everythingStored(rig, pg)
            }
            await pg.close()
            try await Self.waitFor("STATUS= without a backlog", rig) {
                rig.daemons.allSatisfy { !Self.lastStatus($0).contains("spooled") && $0.notifications.count(containing: "STATUS=", phase: 2) >= 2 }
            }
            try await Self.finish(rig, test: "both-watchdogs-outage", fault: "outage_seconds=\(Self.outageSeconds)")
        }
    }

    // MARK: - Started while the server is down

    @Test func bothWatchdogsStartedWhilePostgresIsDownRecordFromTheFirstSecond() async throws {
        try await Self.withRig(startDown: true) { rig in
            let startedAt = Int64(Date().timeIntervalSince1970)
            rig.phase(1)
            try await Self.waitFor("both daemons to report ready, waiting for the stores", rig) {
                rig.daemons.allSatisfy { $0.notifications.count(containing: "READY=1") == 1 }
            }
            try await Task.sleep(for: .seconds(Self.startDownSeconds))  // the server stays down
            for daemon in rig.daemons {
                #expect(daemon.isRunning, "\(daemon.product) exited while the server was down\n\(rig.logs)")
                let waiting = daemon.notifications.statuses.filter { $0.hasPrefix("waiting for stores") && $0.contains("recording into the spool") }
                #expect(!waiting.isEmpty, "\(daemon.product): no STATUS= saying it waits: \(daemon.notifications.statuses.suffix(3))")
                #expect(daemon.notifications.count(containing: "WATCHDOG=1", phase: 1) >= Self.startDownSeconds / 2, "\(daemon.product) did not ping while waiting")
            }
            #expect(!rig.prices.spooled.isEmpty && !rig.snapshots.spooled.isEmpty, "nothing spooled while the server was down\n\(rig.logs)")
            let serverBack = Int64(Date().timeIntervalSince1970)
            try await rig.cluster.start()
            rig.phase(2)

            let pg = rig.connection()
            try await Self.waitFor("every acknowledged second and snapshot in PostgreSQL", rig, within: .seconds(150)) {
                await Self.everythingStored(rig, pg)
            }
            let first = try await Self.storedSeconds(pg).first ?? .max
            await pg.close()
            try await Self.waitFor("STATUS= without the wait or a backlog", rig) {
                rig.daemons.allSatisfy { !Self.lastStatus($0).contains("spooled") && !Self.lastStatus($0).hasPrefix("waiting for stores") }
            }
            for daemon in rig.daemons {
                #expect(daemon.log.contains("stores ready; migrations applied"), "\(daemon.product) never prepared its stores")
            }
            // The history starts while the server was still down, within the daemon's start-up time.
            #expect(first < serverBack, "the first stored second \(first) is not from before the server came back (\(serverBack))")
            print("FAULT start-down first_second_after_start_s=\(first - startedAt) server_down_s=\(serverBack - startedAt)")
            try await Self.finish(rig, test: "both-watchdogs-start-down", fault: "down_seconds=\(Self.startDownSeconds)")
        }
    }

    /// Without a spool there is nowhere durable to put records, so a daemon started while the
    /// server is down does not run yet: it reports ready with `STATUS=waiting for stores …`, keeps
    /// pinging, records nothing, and starts recording once the server is back and migrated.
    @Test func withoutASpoolBothWatchdogsStartedWhilePostgresIsDownWaitAndKeepPinging() async throws {
        try await Self.withRig(startDown: true, spool: false) { rig in
            rig.phase(1)
            try await Self.waitFor("both daemons to report ready, waiting for the stores", rig) {
                rig.daemons.allSatisfy { $0.notifications.count(containing: "READY=1") == 1 }
            }
            try await Task.sleep(for: .seconds(Self.startDownSeconds))  // the server stays down
            for daemon in rig.daemons {
                #expect(daemon.isRunning, "\(daemon.product) exited while the server was down\n\(rig.logs)")
                let statuses = daemon.notifications.statuses
                #expect(!statuses.isEmpty && statuses.allSatisfy { $0.hasPrefix("waiting for stores") && !$0.contains("recording") },
                        "\(daemon.product): \(statuses.suffix(3))")
                #expect(daemon.log.contains("stores not ready at start; waiting for them before recording"), "\(daemon.product)")
                #expect(daemon.notifications.count(containing: "WATCHDOG=1", phase: 1) >= Self.startDownSeconds / 2, "\(daemon.product) did not ping while waiting")
            }
            let serverBack = Int64(Date().timeIntervalSince1970)
            try await rig.cluster.start()
            rig.phase(2)
            let pg = rig.connection()
            try await Self.waitFor("rows from both daemons", rig, within: .seconds(150)) {
                guard let seconds = try? await Self.storedSeconds(pg), let keys = try? await WatchdogOutageTests.storedKeys(pg) else { return false }
                return seconds.rows >= 3 && keys.rows >= 6
            }
            try await Self.waitFor("STATUS= without the wait", rig) {
                rig.daemons.allSatisfy { !Self.lastStatus($0).isEmpty && !Self.lastStatus($0).hasPrefix("waiting for stores") }
            }
            let pings = rig.daemons.map { $0.notifications.pings }
            for daemon in rig.daemons {
                #expect(daemon.isRunning, "\(daemon.product) exited\n\(rig.logs)")
                #expect(await daemon.terminate() == 0, "\(daemon.product) did not stop cleanly\n\(rig.logs)")
                #expect(daemon.log.contains("stores ready; migrations applied"), "\(daemon.product) never prepared its stores")
                #expect(!daemon.log.contains("withholding systemd watchdog pings"), "\(daemon.product) withheld a ping")
            }
            let seconds = try await Self.storedSeconds(pg)
            let keys = try await WatchdogOutageTests.storedKeys(pg)
            await pg.close()
            print("FAULT start-down-no-spool down_seconds=\(Self.startDownSeconds) first_second_after_server_back_s=\((seconds.first ?? 0) - serverBack) seconds_rows=\(seconds.rows) seconds_duplicates=\(seconds.rows - seconds.keys.count) snapshot_rows=\(keys.rows) snapshot_duplicates=\(keys.rows - keys.keys.count) pings=\(pings[0].count)/\(pings[1].count)")
            #expect(seconds.rows == seconds.keys.count && keys.rows == keys.keys.count, "duplicates")
            #expect(seconds.holes == 0)
            for (daemon, ping) in zip(rig.daemons, pings) {
                #expect(ping.largestGap < Self.watchdog / 2, "\(daemon.product): \(ping.largestGap) between two pings (WATCHDOG_USEC 4 s)")
            }
        }
    }
}
