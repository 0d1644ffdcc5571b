import Foundation
import Migration
import ServiceKit
import StorageKit
import Testing

/// `recioctl cutover`, `rollback`, `status` and `restart --rolling` against real daemon processes
/// (the synthetic price daemon, started and reloaded by the test service manager through the
/// systemctl interface), real SQLite files and real PostgreSQL.
@Suite("cutover with real daemons", .serialized, .timeLimit(.minutes(3)))
struct CutoverTests {
    static let day: TimeInterval = 86_400

    @Test func cutoverIsRefusedOnFailedParityAndForcedWithARecordedReason() async throws {
        try await withCutoverRig { rig in
            try rig.writeConfig(writers: ["sqlite"], primary: "sqlite")
            try await rig.startDaemon()
            // --dry-run prints the edit and changes nothing.
            let original = try Data(contentsOf: rig.config)
            let dry = try await rig.recioctl(["cutover", "btc_price_watchdog", "--dry-run"])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stdout.contains("+") && dry.stdout.contains("\"writers\": [\"sqlite\", \"postgres\"]"), "\(dry.stdout)")
            #expect(try Data(contentsOf: rig.config) == original)

            let enter = try await rig.recioctl(["cutover", "btc_price_watchdog", "--to", "dual-legacy-primary"], now: Date() - 8 * Self.day)
            #expect(enter.status == 0, "\(enter.stderr)")
            #expect(try rig.stage() == .dualLegacyPrimary)
            try await CutoverRig.waitFor("rows through the PostgreSQL shadow") { try await rig.postgresRows() >= 3 }

            // The seconds recorded before dual-writing are not in PostgreSQL (no backfill): parity fails.
            let before = try Data(contentsOf: rig.config)
            let refused = try await rig.recioctl(["cutover", "btc_price_watchdog", "--to", "dual-postgres-primary", "--parity-settle", "2s"])
            #expect(refused.status == 1, "\(refused.stderr)")
            #expect(refused.stderr.contains("parity failed"), "\(refused.stderr)")
            #expect(try Data(contentsOf: rig.config) == before)
            var history = try await rig.history()
            #expect(history.parity == [false])
            #expect(history.changes.map(\.to) == [.dualLegacyPrimary])

            let noReason = try await rig.recioctl(["cutover", "btc_price_watchdog", "--force"])
            #expect(noReason.status == 2 && noReason.stderr.contains("--reason"), "\(noReason.stderr)")

            let reason = "pre-dual seconds are not backfilled in this test"
            let forced = try await rig.recioctl(["cutover", "btc_price_watchdog", "--to", "dual-postgres-primary", "--force", "--reason", reason,
                                                 "--parity-settle", "2s"])
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(try rig.stage() == .dualPostgresPrimary)
            let state = try await rig.healthy(nil)
            #expect(state.writing == ["postgres", "sqlite"], "\(state.statusText)")
            history = try await rig.history()
            #expect(history.changes.map(\.to) == [.dualPostgresPrimary, .dualLegacyPrimary])
            #expect(history.changes[0].forcedReason == reason && history.changes[0].parity.hasPrefix("FAIL"))
            #expect(history.changes[0].configBackup.map { FileManager.default.contents(atPath: $0) == before } == true)
        }
    }

    @Test func theDualWriteMinimumUsesTheInjectedClockAndParityPassesAfterABackfill() async throws {
        try await withCutoverRig { rig in
            try rig.writeConfig(writers: ["sqlite"], primary: "sqlite")
            try await rig.startDaemon()
            let entered = Date() - 10 * Self.day
            let enter = try await rig.recioctl(["cutover", "btc_price_watchdog"], now: entered)
            #expect(enter.status == 0, "\(enter.stderr)")
            let backfill = try await rig.recioctl(["backfill", "price-history", "--from", rig.sqlitePath, "--quiet",
                                                   "--reject-file", rig.dir.appendingPathComponent("rejects").path])
            #expect(backfill.status == 0, "\(backfill.stderr)")
            let backfilled = try await rig.postgresRows()
            try await CutoverRig.waitFor("dual-written rows after the backfill", within: .seconds(20)) {
                try await rig.postgresRows() >= backfilled + 4
            }

            // Six days after entering: too soon, whatever parity says.
            let before = try Data(contentsOf: rig.config)
            let early = try await rig.recioctl(["cutover", "btc_price_watchdog", "--parity-settle", "2s"], now: entered + 6 * Self.day)
            #expect(early.status == 1 && early.stderr.contains("too soon"), "\(early.stderr)")
            #expect(try Data(contentsOf: rig.config) == before)

            // Ten days after: the gate passes, and so does parity over the real data.
            let cut = try await rig.recioctl(["cutover", "btc_price_watchdog", "--parity-settle", "2s"])
            #expect(cut.status == 0, "\(cut.stderr)")
            #expect(try rig.stage() == .dualPostgresPrimary)
            let history = try await rig.history()
            #expect(history.parity.first == true)
            #expect(history.changes.first?.parity.hasPrefix("pass") == true && history.changes.first?.forcedReason == nil)

            let status = try await rig.recioctl(["status", "--json"])
            #expect(status.status == 0, "\(status.stderr)")
            let report = try JSONDecoder().decode(StatusReport.self, from: Data(status.stdout.utf8))
            let btc = try #require(report.services.first { $0.service == "btc_price_watchdog" })
            #expect(btc.stage == .dualPostgresPrimary)
            #expect(btc.secondsInStage.map { (0..<600).contains($0) } == true)
            #expect(btc.lastParity?.ok == true)
            #expect(btc.lastRow["postgres"] != nil && btc.lastRow["sqlite"] != nil && btc.unit?.activeState == "active")
            let text = try await rig.recioctl(["status"])
            #expect(text.stdout.contains("dual-postgres-primary") && text.stdout.contains("LAST PARITY"), "\(text.stdout)")
        }
    }

    @Test func theFileIsRolledBackWhenTheServiceDoesNotComeBackHealthy() async throws {
        try await withCutoverRig { rig in
            try rig.writeConfig(writers: ["sqlite"], primary: "sqlite")
            // The daemon cannot reach PostgreSQL (recioctl can): adding the PostgreSQL writer fails its reload.
            try await rig.startDaemon(environment: ["PGPORT": "1"])
            let before = try Data(contentsOf: rig.config)
            let result = try await rig.recioctl(["cutover", "btc_price_watchdog", "--health-timeout", "5s"])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("restoring the previous file") && result.stderr.contains("did not come back healthy"), "\(result.stderr)")
            #expect(try Data(contentsOf: rig.config) == before)
            #expect(try rig.stage() == .legacy)
            #expect(try await rig.history().changes.isEmpty)
            let state = try await rig.healthy(StageLayout(writers: [.sqlite], primary: .sqlite, reader: nil))
            #expect(state.writing == ["sqlite"])
        }
    }

    @Test func rollingRestartStopsAtTheFirstUnhealthyUnit() async throws {
        try await withCutoverRig { rig in
            try rig.writeConfig(writers: ["sqlite"], primary: "sqlite")
            try await rig.startDaemon()
            try rig.manager.define(unit: ServiceName.kalshiAPIWatchdog.unitName, executable: "/bin/sh", arguments: ["-c", "exit 3"])
            try rig.manager.define(unit: ServiceName.liveDataAnalysis.unitName, executable: "/bin/sleep", arguments: ["600"])
            let first = try #require(rig.manager.pid(CutoverRig.unit))
            let result = try await rig.recioctl(["restart", "--rolling", "btc_price_watchdog", "kalshi_api_watchdog", "live_data_analysis",
                                                 "--health-timeout", "4s"])
            #expect(result.status == 1, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(result.stdout)")  // header, rule, two units
            #expect(lines.contains { $0.hasPrefix("btc_price_watchdog") && $0.contains("healthy") })
            #expect(lines.contains { $0.hasPrefix("kalshi_api_watchdog") && $0.contains("FAILED") })
            let second = try #require(rig.manager.pid(CutoverRig.unit))
            #expect(second != first)
            #expect(!FileManager.default.fileExists(atPath: rig.dir.appendingPathComponent("\(ServiceName.liveDataAnalysis.unitName).pid").path))
        }
    }
}
