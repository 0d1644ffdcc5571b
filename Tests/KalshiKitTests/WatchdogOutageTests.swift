import FixtureServers
import Foundation
import StorageKit
import Testing
@testable import KalshiKit

/// The real `kalshi-api-watchdog` with PostgreSQL as its only store and a spool configured, while
/// the server is stopped and started again: the daemon keeps polling, never exits, and every
/// snapshot it acknowledged (logged as `stored` or `spooled`) is in PostgreSQL exactly once.
/// `RECIO_FAULT_OUTAGE_SECONDS` lengthens the outage (`scripts/fault-tests` uses 60 s).
@Suite(.timeLimit(.minutes(5)))
struct WatchdogOutageTests {
    static var outageSeconds: Int { ProcessInfo.processInfo.environment["RECIO_FAULT_OUTAGE_SECONDS"].flatMap(Int.init) ?? 8 }

    /// Natural keys (`second|ticker`) a log acknowledged for the market snapshots' primary.
    static func acknowledged(_ log: String) -> (stored: Set<String>, spooled: Set<String>) {
        var stored = Set<String>(), spooled = Set<String>()
        for line in log.split(separator: "\n") where line.contains("batch acknowledged") && line.contains("dataset=market_snapshots")
            && line.contains("writer=postgres") && line.contains("spool.role=primary") {
            guard let range = line.range(of: " ack.keys=") else { continue }
            let keys = line[range.upperBound...].prefix { $0 != " " }.split(separator: ",").map(String.init)
            if line.contains(" ack=spooled") { spooled.formUnion(keys) } else { stored.formUnion(keys) }
        }
        return (stored, spooled)
    }

    static func storedKeys(_ pg: PostgresConnection) async throws -> (keys: Set<String>, rows: Int) {
        let result = try await pg.query("SELECT extract(epoch FROM ts)::bigint::text || '|' || market_ticker FROM user_0001.market_snapshots")
        let keys = result.rows.compactMap { $0[0] }
        return (Set(keys), keys.count)
    }

    @Test func aPostgresOutageLosesAndDuplicatesNoSnapshot() async throws {
        let server = try await FixtureServer.start()
        let now = Int64(Date().timeIntervalSince1970)
        let events = [EventTicker(series: "KXBTCD", at: now), EventTicker(series: "KXBTCD", at: now).next, EventTicker(series: "KXBTCD", at: now).next.next]
        for e in events {
            server.setRoute(HTTPFixtureRoute("GET", "/trade-api/v2/events/\(e)"), .json(KalshiFixtures.eventResponse(e, markets: 3, form: .both)))
        }
        do {
            try await withTemporaryDirectory { dir in
                try await PrivatePostgresCluster.with { cluster in
                    let config = dir.appendingPathComponent("services.json")
                    let text = """
                        {"postgres": {"conninfo": "\(cluster.connectionString)", "schema": "user_0001"},
                         "spool_dir": "\(dir.appendingPathComponent("spool").path)",
                         "services": {
                           "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres"},
                           "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres",
                                                   "options": {"base_url": "\(server.httpBaseURL)/trade-api/v2", "poll_interval_seconds": 1}},
                           "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres"},
                           "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}}}
                        """
                    try Data(text.utf8).write(to: config)
                    let logURL = dir.appendingPathComponent("daemon.log")
                    _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
                    let process = Process()
                    process.executableURL = try WatchdogProcessTests.executable()
                    process.arguments = ["--config", config.path]
                    var env = ProcessInfo.processInfo.environment
                    for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "RECIO_CONFIG"] { env[key] = nil }
                    env["RECIO_LOG_LEVEL"] = "debug"
                    process.environment = env
                    let handle = try FileHandle(forWritingTo: logURL)
                    process.standardError = handle
                    process.standardOutput = handle
                    try process.run()
                    defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                    func log() -> String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
                    func waitFor(_ what: String, within: Duration = .seconds(60), _ condition: () async -> Bool) async throws {
                        let deadline = ContinuousClock.now + within
                        while !(await condition()) {
                            try #require(ContinuousClock.now < deadline, "timed out waiting for \(what): \(log().suffix(3000))")
                            try await Task.sleep(for: .milliseconds(200))
                        }
                    }

                    try await waitFor("snapshots stored") { Self.acknowledged(log()).stored.count >= 3 }
                    try await cluster.stop()
                    try await Task.sleep(for: .seconds(Self.outageSeconds))  // the outage itself
                    #expect(process.isRunning, "the daemon exited during the outage: \(log().suffix(3000))")
                    try await cluster.start()
                    let pg = PostgresConnection(configuration: PostgresConfiguration(connectionString: cluster.connectionString,
                                                                                     reconnect: TestPostgres.reconnect), logger: TestPostgres.logger)
                    try await waitFor("every acknowledged snapshot in PostgreSQL", within: .seconds(120)) {
                        let a = Self.acknowledged(log())
                        guard let stored = try? await Self.storedKeys(pg) else { return false }
                        return !a.spooled.isEmpty && a.stored.union(a.spooled).isSubset(of: stored.keys)
                    }
                    kill(process.processIdentifier, SIGTERM)
                    let status = await Task.detached { process.waitUntilExit(); return process.terminationStatus }.value
                    #expect(status == 0, "\(log().suffix(3000))")
                    let a = Self.acknowledged(log())
                    let acked = a.stored.union(a.spooled)
                    let stored = try await Self.storedKeys(pg)
                    await pg.close()
                    print("FAULT market-outage seconds=\(Self.outageSeconds) acknowledged=\(acked.count) spooled=\(a.spooled.count) found=\(acked.intersection(stored.keys).count) duplicates=\(stored.rows - stored.keys.count)")
                    #expect(acked.isSubset(of: stored.keys), "acknowledged but not stored: \(acked.subtracting(stored.keys).sorted().prefix(10))")
                    #expect(stored.rows == stored.keys.count)
                    #expect(!a.spooled.isEmpty)
                }
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }
}
