import FixtureServers
import Foundation
import ServiceKit
import StorageKit
import Testing

/// The real `btc-price-watchdog`, recording from a fixture exchange, walked by the real `recioctl`
/// from legacy to PostgreSQL and back (reloads through the test service manager's systemctl
/// stand-in), with a backfill after dual-writing starts: afterwards no second is lost or written
/// twice in either store across any step.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WatchdogCutoverWalkTests {
    static let unit = ServiceName.btcPriceWatchdog.unitName

    @Test func walkLegacyToPostgresAndBackWhileRecording() async throws {
        try await withFixtureServer(script: TickerScript(prices: ["64000.12"], interval: .milliseconds(50))) { server in
            WatchdogFixture.configure(server)
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, pg in
                    try await withTestServiceManager(dir) { manager in
                        let config = WatchdogConfig(writers: ["sqlite", "json"], primary: "sqlite", directory: dir, schema: schema.name, server: server)
                        let url = try config.write()
                        try manager.define(unit: Self.unit, executable: try ProductProcess.path("btc-price-watchdog"),
                                           arguments: ["--config", url.path], environment: ["RECIO_LOG_LEVEL": "info"])
                        try await manager.start(Self.unit)

                        func recioctl(_ arguments: [String]) async throws {
                            let result = try await ProductProcess.run("recioctl", arguments + ["--config", url.path],
                                                                      environment: ["RECIO_SYSTEMCTL": manager.systemctl])
                            try #require(result.status == 0, "recioctl \(arguments.joined(separator: " ")): \(result.stderr)\n\(manager.log(Self.unit).suffix(3000))")
                        }
                        func legacyCount() throws -> Int { try WatchdogProcessTests.legacyRows(config.sqlitePath).count }
                        func postgresCount() async throws -> Int { try await TestPostgres.priceHistory(schema, pg).count }
                        /// A few more seconds recorded in the stores this stage writes.
                        func recordSome(legacy: Bool, postgres: Bool) async throws {
                            let l = try legacyCount(), p = try await postgresCount()
                            try await WatchdogProcessTests.waitFor("3 more seconds recorded") {
                                let legacyDone = try !legacy || legacyCount() >= l + 3
                                let postgresDone = try await postgresCount() >= p + 3
                                return legacyDone && (!postgres || postgresDone)
                            }
                        }
                        let gates = ["--min-dual", "1s", "--parity-settle", "3s"]

                        try await recordSome(legacy: true, postgres: false)
                        try await recioctl(["cutover", "btc_price_watchdog", "--to", "dual-legacy-primary"])
                        try await recordSome(legacy: true, postgres: true)
                        try await recioctl(["backfill", "price-history", "--from", config.sqlitePath, "--quiet",
                                            "--reject-file", dir.appendingPathComponent("rejects").path])
                        try await WatchdogProcessTests.waitFor("the parity window to pass the backfill", within: .seconds(20)) {
                            let stored = try await postgresCount()
                            return try stored >= legacyCount() && legacyCount() > 0
                        }
                        try await recordSome(legacy: true, postgres: true)
                        try await Task.sleep(for: .seconds(4))  // the parity window ends 3 s before now
                        try await recioctl(["cutover", "btc_price_watchdog", "--to", "dual-postgres-primary"] + gates)
                        try await recordSome(legacy: true, postgres: true)
                        try await Task.sleep(for: .seconds(4))
                        try await recioctl(["cutover", "btc_price_watchdog", "--to", "postgres"] + gates)
                        try await recordSome(legacy: false, postgres: true)
                        try await recioctl(["rollback", "btc_price_watchdog"])
                        try await recordSome(legacy: true, postgres: true)
                        try await recioctl(["rollback", "btc_price_watchdog"])
                        try await recordSome(legacy: true, postgres: true)
                        try await recioctl(["rollback", "btc_price_watchdog"])
                        try await recordSome(legacy: true, postgres: false)
                        let entry = try ServicesConfig.load(path: url.path).service(.btcPriceWatchdog)
                        #expect(entry.writers == [.sqlite, .json] && entry.primary == .sqlite)

                        await manager.stopAll()
                        let log = manager.log(Self.unit)
                        let accepted = WatchdogProcessTests.loggedCount("ticks.accepted", in: log)
                        let postgres = try await TestPostgres.priceHistory(schema, pg)
                        let legacyRows = try WatchdogProcessTests.legacyRows(config.sqlitePath)
                        let p = Dictionary(uniqueKeysWithValues: postgres.map { ($0.second, $0.price) })
                        let first = try #require(p.keys.min()), last = try #require(p.keys.max())
                        var legacy: [Int64: String] = [:]
                        for s in (first - 600)...(last + 600) {
                            if let price = legacyRows[legacyKeyOracle(s)] { legacy[s] = price }
                        }
                        #expect(legacy.count == legacyRows.count, "every legacy key maps to one second near the walk")
                        let union = Set(p.keys).union(legacy.keys)
                        let lo = union.min()!, hi = union.max()!
                        // Every second from the first to the last is in at least one store, each accepted tick exactly once.
                        #expect(union.count == Int(hi - lo + 1), "seconds missing from both stores")
                        #expect(accepted == union.count, "accepted \(accepted), stored \(union.count)\n\(log.suffix(2000))")
                        // PostgreSQL: contiguous from the legacy start (backfill) to its last write.
                        #expect(p.count == Int(last - first + 1) && first == legacy.keys.min())
                        // Legacy: contiguous except one run (the postgres-only stage), which PostgreSQL holds.
                        let legacyGap = (legacy.keys.min()!...legacy.keys.max()!).filter { legacy[$0] == nil }
                        #expect(!legacyGap.isEmpty && legacyGap.count == Int(legacyGap.last! - legacyGap.first! + 1))
                        #expect(legacyGap.allSatisfy { p[$0] != nil })
                        // PostgreSQL stopped after the last rollback: the legacy file has the seconds after it.
                        #expect(legacy.keys.max()! > last)
                        // Where both stores hold a second they hold the same price.
                        for (second, price) in p {
                            if let old = legacy[second] { #expect(Double(old) == Double(price), "second \(second): legacy \(old), postgres \(price)") }
                        }
                        let changes = try await pg.query("SELECT from_stage || '>' || to_stage FROM \(schema.quoted).stage_changes ORDER BY id").rows.map { $0[0]! }
                        #expect(changes == ["legacy>dual-legacy-primary", "dual-legacy-primary>dual-postgres-primary", "dual-postgres-primary>postgres",
                                            "postgres>dual-postgres-primary", "dual-postgres-primary>dual-legacy-primary", "dual-legacy-primary>legacy"])
                    }
                }
            }
        }
    }
}
