import FixtureServers
import Foundation
import StorageKit
import Synchronization
import Testing

/// Faults injected into the real `btc-price-watchdog` process under a 100-ticks/s fixture feed,
/// against real PostgreSQL servers, with a durable spool configured: SIGKILL at random moments, the
/// server stopped and restarted, SIGTERM while the server is down, a lock that makes PostgreSQL
/// slow. After each: every second the daemon acknowledged (logged as `stored` or `spooled`) is in
/// PostgreSQL exactly once.
///
/// CI runs short versions; `scripts/fault-tests` runs the full ones (50 kills, a 60 s outage) by
/// setting `RECIO_FAULT_KILLS`, `RECIO_FAULT_OUTAGE_SECONDS` and `RECIO_FAULT_LOCK_SECONDS`. Each
/// test prints a `FAULT …` line with its figures.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct FaultTests {
    static let environment = ProcessInfo.processInfo.environment
    static var kills: Int { environment["RECIO_FAULT_KILLS"].flatMap(Int.init) ?? 6 }
    static var outageSeconds: Int { environment["RECIO_FAULT_OUTAGE_SECONDS"].flatMap(Int.init) ?? 8 }
    static var lockSeconds: Int { environment["RECIO_FAULT_LOCK_SECONDS"].flatMap(Int.init) ?? 6 }
    /// 100 ticks a second.
    static let feed = TickerScript(prices: ["64000.12", "64000.55", "63999.99", "64001.00"], interval: .milliseconds(10))
    static let debug = ["RECIO_LOG_LEVEL": "debug"]

    // MARK: - Helpers

    /// The seconds a log acknowledged for the price history's primary (PostgreSQL): `stored` and `spooled`.
    static func acknowledged(_ log: String) -> (stored: Set<Int64>, spooled: Set<Int64>) {
        var stored = Set<Int64>(), spooled = Set<Int64>()
        for line in log.split(separator: "\n") where line.contains("batch acknowledged") && line.contains("dataset=price_history")
            && line.contains("writer=postgres") && line.contains("spool.role=primary") {
            guard let keys = value("ack.keys", in: line) else { continue }
            var seconds: [Int64] = []
            for part in keys.split(separator: ",") {
                let bounds = part.split(separator: "-").compactMap { Int64($0) }
                if bounds.count == 2 { seconds += Array(bounds[0]...bounds[1]) } else if bounds.count == 1 { seconds.append(bounds[0]) }
            }
            if value("ack", in: line) == "spooled" { spooled.formUnion(seconds) } else { stored.formUnion(seconds) }
        }
        return (stored, spooled)
    }

    static func value(_ key: String, in line: Substring) -> String? {
        guard let range = line.range(of: " \(key)=") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != " " })
    }

    /// Stored seconds and the duplicate count (rows beyond one per second).
    static func stored(_ schema: PostgresIdentifier, _ pg: PostgresConnection) async throws -> (seconds: Set<Int64>, sorted: [Int64], duplicates: Int) {
        let rows = try await pg.query("SELECT extract(epoch FROM ts)::bigint::text FROM \(schema.quoted).price_history ORDER BY ts")
        let sorted = rows.rows.compactMap { $0[0].flatMap { Int64($0) } }
        let seconds = Set(sorted)
        return (seconds, sorted, sorted.count - seconds.count)
    }

    static func waitFor(_ what: String, within: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        try await WatchdogProcessTests.waitFor(what, within: within, condition)
    }

    static func privateConnection(_ cluster: PrivatePostgresCluster) -> PostgresConnection {
        PostgresConnection(configuration: PostgresConfiguration(connectionString: cluster.connectionString, applicationName: "recio-fault-test",
                                                                reconnect: TestPostgres.reconnect), logger: TestPostgres.logger)
    }

    /// The fixture feed, a temporary folder and a private cluster, with a price watchdog config that
    /// writes PostgreSQL (`user_0001`) through a spool in that folder; `adjust` changes the config
    /// before it is written.
    static func withSpoolingWatchdog(adjust: (inout WatchdogConfig) -> Void = { _ in },
                                     _ body: (FixtureServer, URL, PrivatePostgresCluster, PostgresIdentifier, WatchdogConfig) async throws -> Void)
        async throws
    {
        try await withFixtureServer(script: feed) { server in
            WatchdogFixture.configure(server)
            try await withTemporaryDirectory { dir in
                try await PrivatePostgresCluster.with { cluster in
                    let schema = try PostgresIdentifier("user_0001")
                    var config = WatchdogConfig(writers: ["postgres"], primary: "postgres", directory: dir, schema: schema.name, server: server)
                    config.conninfo = cluster.connectionString
                    config.spoolDirectory = dir.appendingPathComponent("spool").path
                    adjust(&config)
                    try config.write()
                    try await body(server, dir, cluster, schema, config)
                }
            }
        }
    }

    // MARK: - kill -9

    @Test func killedAtRandomMomentsEveryAcknowledgedSecondIsStoredOnce() async throws {
        try await withFixtureServer(script: Self.feed) { server in
            WatchdogFixture.configure(server)
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, pg in
                    var config = WatchdogConfig(writers: ["postgres"], primary: "postgres", directory: dir, schema: schema.name, server: server)
                    config.spoolDirectory = dir.appendingPathComponent("spool").path
                    try config.write()
                    var logs: [String] = []
                    for round in 0..<Self.kills {
                        let daemon = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("run-\(round).log"), environment: Self.debug)
                        // A random moment: during start-up, mid-batch, mid-spool-append, anywhere.
                        try await Task.sleep(for: .milliseconds(Int.random(in: 1_000...5_000)))
                        await daemon.kill9()
                        logs.append(daemon.log)
                    }
                    // A last, clean run replays whatever a kill left in the spool.
                    let last = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("last.log"), environment: Self.debug)
                    try await Self.waitFor("the last run to store a few seconds") { Self.acknowledged(last.log).stored.count >= 3 }
                    #expect(await last.terminate() == 0, "\(last.log.suffix(3000))")
                    logs.append(last.log)

                    var acked = Set<Int64>()
                    for log in logs { let a = Self.acknowledged(log); acked.formUnion(a.stored); acked.formUnion(a.spooled) }
                    let found = try await Self.stored(schema, pg)
                    let missing = acked.subtracting(found.seconds)
                    print("FAULT kill9 faults=\(Self.kills) acknowledged=\(acked.count) found=\(acked.count - missing.count) stored_rows=\(found.sorted.count) duplicates=\(found.duplicates)")
                    #expect(acked.count >= Self.kills, "too few acknowledged seconds to mean anything")
                    #expect(missing.isEmpty, "acknowledged but not stored: \(missing.sorted().prefix(20))")
                    #expect(found.duplicates == 0)
                }
            }
        }
    }

    // MARK: - PostgreSQL outage

    /// The server is stopped for `RECIO_FAULT_OUTAGE_SECONDS` and started again while the daemon
    /// runs: it never exits, never withholds a watchdog ping, shows the backlog in `STATUS=`, and
    /// afterwards every second is stored once, with no hole.
    @Test func aPostgresOutageLosesAndDuplicatesNothingAndTheDaemonKeepsPinging() async throws {
        try await Self.withSpoolingWatchdog { server, dir, cluster, schema, config in
            let notify = try DatagramReceiver(directory: dir)
            let messages = NotifyLog()
            let listening = Task { while !Task.isCancelled { if let m = await notify.receiveString(timeout: .milliseconds(500)) { messages.add(m) } } }
            defer { listening.cancel() }
            let daemon = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("daemon.log"),
                                             environment: Self.debug.merging(["NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "4000000"]) { $1 })
            let pg = Self.privateConnection(cluster)
            try await Self.waitFor("seconds in PostgreSQL") { ((try? await Self.stored(schema, pg))?.seconds.count ?? 0) >= 3 }
            await pg.close()

            messages.phase = 1
            try await cluster.stop()
            try await Task.sleep(for: .seconds(Self.outageSeconds))  // the outage itself
            #expect(daemon.process.isRunning, "the daemon exited during the outage: \(daemon.log.suffix(3000))")
            try await cluster.start()
            messages.phase = 2

            let check = Self.privateConnection(cluster)
            try await Self.waitFor("every acknowledged second in PostgreSQL", within: .seconds(120)) {
                let a = Self.acknowledged(daemon.log)
                let seconds = try await Self.stored(schema, check).seconds
                return !a.spooled.isEmpty && a.spooled.union(a.stored).isSubset(of: seconds)
            }
            #expect(await daemon.terminate() == 0, "\(daemon.log.suffix(3000))")
            let a = Self.acknowledged(daemon.log)
            let acked = a.stored.union(a.spooled)
            let found = try await Self.stored(schema, check)
            await check.close()
            let missing = acked.subtracting(found.seconds)
            let holes = found.sorted.count < 2 ? 0 : Int(found.sorted.last! - found.sorted.first! + 1) - found.seconds.count
            print("FAULT outage seconds=\(Self.outageSeconds) acknowledged=\(acked.count) spooled=\(a.spooled.count) found=\(acked.count - missing.count) holes=\(holes) duplicates=\(found.duplicates)")
            #expect(missing.isEmpty, "acknowledged but not stored: \(missing.sorted().prefix(20))")
            #expect(found.duplicates == 0)
            #expect(holes == 0, "seconds missing between the first and the last stored one")
            #expect(a.spooled.count >= Self.outageSeconds / 2, "the outage was not spooled")
            // Watchdog: pings kept coming during the outage; the health check never failed.
            #expect(messages.count(phase: 1, containing: "WATCHDOG=1") >= 1)
            let withheld = daemon.log.split(separator: "\n").filter { $0.contains("withholding systemd watchdog pings") && !$0.contains("watchdog.reason=starting") }
            #expect(withheld.isEmpty, "\(withheld)")
            #expect(messages.count(phase: 1, containing: "spooled") >= 1, "STATUS= did not show the backlog")
        }
    }

    // MARK: - Restart while the server is down

    /// A restart while PostgreSQL is down: the new run records into the spool from its first
    /// second, and once the server is back (and the stores prepared) it finds the hole between the
    /// last second stored before the restart and its first live one, and repairs it from recent
    /// trades; the history has no hole and every acknowledged second is stored once.
    @Test func aRestartWhilePostgresIsDownRepairsTheHoleBeforeItOnceTheServerIsBack() async throws {
        try await Self.withSpoolingWatchdog { server, dir, cluster, schema, config in
            let first = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("first.log"), environment: Self.debug)
            try await Self.waitFor("seconds stored") { Self.acknowledged(first.log).stored.count >= 3 }
            #expect(await first.terminate() == 0, "\(first.log.suffix(3000))")
            let pg = Self.privateConnection(cluster)
            let stoppedAt = try #require(try await Self.stored(schema, pg).sorted.last)
            await pg.close()

            try await cluster.stop()
            try await Task.sleep(for: .seconds(3))  // the hole the restart leaves
            WatchdogFixture.setTrades(server, seconds: (stoppedAt - 30)...(Int64(Date().timeIntervalSince1970) + 120))
            let second = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("second.log"), environment: Self.debug)
            try await Self.waitFor("seconds spooled while the server is down") { Self.acknowledged(second.log).spooled.count >= 3 }
            #expect(!second.log.contains("price history gap repaired"), "repaired before the stored history could be read")
            try await cluster.start()

            let check = Self.privateConnection(cluster)
            try await Self.waitFor("the hole repaired and every acknowledged second stored", within: .seconds(120)) {
                let a = Self.acknowledged(second.log)
                let rows = try await TestPostgres.priceHistory(schema, check)
                return rows.contains { $0.source == "gap_repair" } && a.stored.union(a.spooled).isSubset(of: Set(rows.map(\.second)))
            }
            #expect(await second.terminate() == 0, "\(second.log.suffix(3000))")
            let rows = try await TestPostgres.priceHistory(schema, check)
            let found = try await Self.stored(schema, check)
            await check.close()
            var acked = Set<Int64>()
            for log in [first.log, second.log] { let a = Self.acknowledged(log); acked.formUnion(a.stored); acked.formUnion(a.spooled) }
            let repaired = rows.filter { $0.source == "gap_repair" }
            let holes = Int(found.sorted.last! - found.sorted.first! + 1) - found.seconds.count
            print("FAULT restart-while-down acknowledged=\(acked.count) repaired=\(repaired.count) found=\(acked.intersection(found.seconds).count) holes=\(holes) duplicates=\(found.duplicates)")
            #expect(second.log.contains("last stored price second before this start"), "\(second.log.suffix(3000))")
            #expect(acked.isSubset(of: found.seconds), "acknowledged but not stored: \(acked.subtracting(found.seconds).sorted().prefix(20))")
            #expect(found.duplicates == 0)
            #expect(holes == 0, "seconds missing between the first and the last stored one")
            #expect(!repaired.isEmpty && repaired.allSatisfy { $0.second > stoppedAt })
            #expect(repaired.allSatisfy { $0.price == WatchdogFixture.tradePrice($0.second).description })
        }
    }

    // MARK: - Spool limit

    /// A spool that reaches `spool_max_bytes` while PostgreSQL is down: logged as an error, shown
    /// in `STATUS=`, and the health check fails (watchdog pings withheld); when the server is back
    /// the backlog replays, the health check passes again, and nothing accepted is lost.
    @Test func aFullSpoolFailsTheHealthCheckAndSaysSo() async throws {
        try await Self.withSpoolingWatchdog(adjust: { config in config.spoolMaxBytes = 4096 }) { server, dir, cluster, schema, config in
            let notify = try DatagramReceiver(directory: dir)
            let messages = NotifyLog()
            let listening = Task { while !Task.isCancelled { if let m = await notify.receiveString(timeout: .milliseconds(500)) { messages.add(m) } } }
            defer { listening.cancel() }
            let daemon = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("daemon.log"),
                                             environment: Self.debug.merging(["NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "2000000"]) { $1 })
            try await Self.waitFor("seconds stored") { Self.acknowledged(daemon.log).stored.count >= 2 }
            try await cluster.stop()
            messages.phase = 1
            try await Self.waitFor("the spool to fill", within: .seconds(120)) { daemon.log.contains("SPOOL FULL") }
            try await Self.waitFor("the health check to fail on it") {
                daemon.log.split(separator: "\n").contains { $0.contains("withholding systemd watchdog pings") && $0.contains("spool full") }
            }
            try await Self.waitFor("STATUS= to say so") { messages.count(phase: 1, containing: "SPOOL FULL") >= 1 }
            try await cluster.start()
            try await Self.waitFor("the health check to pass again", within: .seconds(120)) {
                daemon.log.contains("health check passes again")
            }
            #expect(await daemon.terminate() == 0, "\(daemon.log.suffix(3000))")
            let accepted = WatchdogProcessTests.loggedCount("ticks.accepted", in: daemon.log)
            let written = WatchdogProcessTests.loggedCount("ticks.written", in: daemon.log)
            let a = Self.acknowledged(daemon.log)
            let pg = Self.privateConnection(cluster)
            let found = try await Self.stored(schema, pg)
            await pg.close()
            print("FAULT spool-full limit_bytes=4096 accepted=\(accepted) written=\(written) spooled=\(a.spooled.count) found=\(found.seconds.count) duplicates=\(found.duplicates)")
            #expect(accepted > 0 && accepted == written, "records refused by the full spool were kept and written later")
            #expect(a.stored.union(a.spooled).isSubset(of: found.seconds))
            #expect(found.duplicates == 0)
        }
    }

    // MARK: - SIGTERM

    /// SIGTERM while PostgreSQL is down and ticks pour in: the daemon exits 0 after writing every
    /// accepted record to the spool; the next start replays them.
    @Test func sigtermDuringAnOutageFlushesEveryAcceptedRecordToTheSpool() async throws {
        try await Self.withSpoolingWatchdog { server, dir, cluster, schema, config in
            let first = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("first.log"), environment: Self.debug)
            try await Self.waitFor("seconds stored") { Self.acknowledged(first.log).stored.count >= 2 }
            try await cluster.stop()
            try await Self.waitFor("seconds spooled") { Self.acknowledged(first.log).spooled.count >= 2 }
            #expect(await first.terminate() == 0, "\(first.log.suffix(3000))")
            let accepted = WatchdogProcessTests.loggedCount("ticks.accepted", in: first.log)
            let written = WatchdogProcessTests.loggedCount("ticks.written", in: first.log)
            #expect(accepted > 0 && accepted == written, "accepted \(accepted), written \(written)")

            try await cluster.start()
            let second = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("second.log"), environment: Self.debug)
            let pg = Self.privateConnection(cluster)
            let a = Self.acknowledged(first.log)
            try await Self.waitFor("the first run's spool replayed", within: .seconds(90)) {
                a.spooled.isSubset(of: try await Self.stored(schema, pg).seconds)
            }
            #expect(await second.terminate() == 0, "\(second.log.suffix(3000))")
            let found = try await Self.stored(schema, pg)
            await pg.close()
            let acked = a.stored.union(a.spooled)
            print("FAULT sigterm accepted=\(accepted) written=\(written) acknowledged=\(acked.count) spooled=\(a.spooled.count) found=\(acked.intersection(found.seconds).count) duplicates=\(found.duplicates)")
            #expect(acked.isSubset(of: found.seconds))
            #expect(found.duplicates == 0)
            #expect(second.log.contains("spool holds a backlog from before"), "\(second.log.suffix(3000))")
        }
    }

    // MARK: - Slow store

    /// A lock held by the test makes every price-history INSERT wait: the websocket side keeps
    /// producing seconds (acknowledged from the spool), memory stays bounded, and all is stored once
    /// the lock is released.
    @Test func aSlowStoreBlocksNeitherTheFeedNorGrowsMemory() async throws {
        try await withFixtureServer(script: Self.feed) { server in
            WatchdogFixture.configure(server)
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, pg in
                    var config = WatchdogConfig(writers: ["postgres"], primary: "postgres", directory: dir, schema: schema.name, server: server)
                    config.spoolDirectory = dir.appendingPathComponent("spool").path
                    try config.write()
                    let daemon = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("daemon.log"), environment: Self.debug)
                    try await Self.waitFor("seconds stored") { Self.acknowledged(daemon.log).stored.count >= 3 }
                    let locker = try TestPostgres.connection()
                    _ = try await locker.execute("BEGIN")
                    _ = try await locker.execute("LOCK TABLE \(schema.quoted).price_history IN SHARE MODE")  // INSERTs wait
                    let storedBefore = try await Self.stored(schema, pg).seconds.count
                    let rssBefore = daemon.residentKiB ?? 0
                    try await Task.sleep(for: .seconds(Self.lockSeconds))  // the slow stretch itself
                    let duringLock = Self.acknowledged(daemon.log).spooled
                    let rssDuring = daemon.residentKiB ?? 0
                    let storedDuring = try await Self.stored(schema, pg).seconds.count
                    _ = try await locker.execute("COMMIT")
                    await locker.close()
                    try await Self.waitFor("every acknowledged second stored", within: .seconds(90)) {
                        let a = Self.acknowledged(daemon.log)
                        return a.stored.union(a.spooled).isSubset(of: try await Self.stored(schema, pg).seconds)
                    }
                    #expect(await daemon.terminate() == 0, "\(daemon.log.suffix(3000))")
                    let a = Self.acknowledged(daemon.log)
                    let found = try await Self.stored(schema, pg)
                    print("FAULT slow-store lock_seconds=\(Self.lockSeconds) spooled_during_lock=\(duringLock.count) rss_kib_before=\(rssBefore) rss_kib_during=\(rssDuring) acknowledged=\(a.stored.union(a.spooled).count) duplicates=\(found.duplicates)")
                    #expect(storedDuring == storedBefore, "the lock did not hold back the INSERTs")
                    #expect(duringLock.count >= Self.lockSeconds / 2, "the feed stopped while the store was slow")
                    #expect(rssDuring - rssBefore < 64 * 1024, "memory grew by \(rssDuring - rssBefore) KiB while the store was slow")
                    #expect(found.duplicates == 0)
                }
            }
        }
    }
}

/// The notify datagrams a daemon sent, tagged with the test phase they arrived in.
final class NotifyLog: Sendable {
    private let state = Mutex<(phase: Int, messages: [(Int, String)])>((0, []))
    var phase: Int {
        get { state.withLock { $0.phase } }
        set { state.withLock { $0.phase = newValue } }
    }
    func add(_ message: String) { state.withLock { $0.messages.append(($0.phase, message)) } }
    func count(phase: Int, containing text: String) -> Int {
        state.withLock { $0.messages.filter { $0.0 == phase && $0.1.contains(text) }.count }
    }
}
