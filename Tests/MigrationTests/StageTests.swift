import Foundation
import Migration
import ServiceKit
import Testing

/// Stages read from `services.json` entries, the layouts of the other stages, and the in-place edit
/// of the file (only the entry's writers/primary/reader change; the rest stays byte for byte).
@Suite("stages and the services.json edit")
struct StageTests {
    /// A hand-formatted file (aligned, one entry a line) with `btc` at the given values.
    static func document(btcWriters: String, btcPrimary: String, ldaWriters: String = "[\"postgres\"]", ldaReader: String = "\"sqlite\"") -> String {
        """
        {
          "postgres": { "conninfo": "", "schema": "user_0001" },
          "services": {
            "btc_price_watchdog":       { "writers": \(btcWriters), "primary": \(btcPrimary),
                                          "sqlite_path": "/var/lib/recio/legacy/btc_price_history.db",
                                          "json_dir": "/var/lib/recio/legacy" },
            "kalshi_api_watchdog":      { "writers": ["json", "postgres"], "primary": "json",
                                          "json_dir": "/var/lib/recio/legacy", "json_archive": true },
            "kalshi_historical_ingest": { "writers": ["postgres"], "primary": "postgres" },
            "live_data_analysis":       { "writers": \(ldaWriters), "primary": "postgres", "reader": \(ldaReader),
                                          "sqlite_path": "/var/lib/recio/legacy/btc_price_history.db" }
          }
        }

        """
    }

    static func stage(_ text: String, _ service: ServiceName) throws -> MigrationStage {
        try MigrationStage(entry: try ServicesConfig.parse(Data(text.utf8), file: "services.json").service(service))
    }

    @Test func stagesAreDerivedFromTheEntry() throws {
        #expect(try Self.stage(Self.document(btcWriters: "[\"sqlite\", \"json\"]", btcPrimary: "\"sqlite\""), .btcPriceWatchdog) == .legacy)
        #expect(try Self.stage(Self.document(btcWriters: "[\"sqlite\", \"postgres\"]", btcPrimary: "\"sqlite\""), .btcPriceWatchdog) == .dualLegacyPrimary)
        #expect(try Self.stage(Self.document(btcWriters: "[\"sqlite\", \"postgres\"]", btcPrimary: "\"postgres\""), .btcPriceWatchdog) == .dualPostgresPrimary)
        #expect(try Self.stage(Self.document(btcWriters: "[\"postgres\"]", btcPrimary: "\"postgres\""), .btcPriceWatchdog) == .postgres)
        let base = Self.document(btcWriters: "[\"postgres\"]", btcPrimary: "\"postgres\"")
        #expect(try Self.stage(base, .kalshiAPIWatchdog) == .dualLegacyPrimary)
        #expect(try Self.stage(base, .kalshiHistoricalIngest) == .postgres)
        // live-data-analysis writing PostgreSQL only but reading the legacy file still depends on it.
        #expect(try Self.stage(base, .liveDataAnalysis) == .dualLegacyPrimary)
        #expect(try Self.stage(Self.document(btcWriters: "[\"postgres\"]", btcPrimary: "\"postgres\"", ldaReader: "\"postgres\""), .liveDataAnalysis) == .postgres)
        // PostgreSQL primary while reading the legacy file is no stage.
        let mixed = Self.document(btcWriters: "[\"postgres\"]", btcPrimary: "\"postgres\"", ldaWriters: "[\"json\", \"postgres\"]")
            .replacingOccurrences(of: "\"reader\": \"sqlite\",", with: "\"reader\": \"sqlite\", \"json_dir\": \"/var/lib/recio/legacy\",")
        #expect(throws: StageError.self) { try Self.stage(mixed, .liveDataAnalysis) }
    }

    @Test func walkingTheStagesEditsOnlyTheEntryAndComesBackByteIdentical() throws {
        let original = Self.document(btcWriters: "[\"sqlite\", \"json\"]", btcPrimary: "\"sqlite\"")
        var data = Data(original.utf8)
        let originalLines = original.components(separatedBy: "\n")
        let forward: [MigrationStage] = [.dualLegacyPrimary, .dualPostgresPrimary, .postgres]
        let backward: [MigrationStage] = [.dualPostgresPrimary, .dualLegacyPrimary, .legacy]
        for target in forward + backward {
            let entry = try ServicesConfig.parse(data, file: "services.json").service(.btcPriceWatchdog)
            let layout = try #require(StageLayout(entry: entry, stage: target))
            let edit = try ServicesFileEdit(path: "services.json", original: data, service: .btcPriceWatchdog, layout: layout)
            #expect(try MigrationStage(entry: edit.config.service(.btcPriceWatchdog)) == target)
            let lines = String(decoding: edit.edited, as: UTF8.self).components(separatedBy: "\n")
            #expect(lines.count == originalLines.count)
            // Only the btc entry's first line (writers, primary) may differ.
            let changed = zip(lines, originalLines).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
            #expect(changed.allSatisfy { $0 == 3 }, "changed lines \(changed) at \(target)")
            #expect(edit.diff.contains("@@ line 4 @@") || target == .legacy)
            // The other services are untouched.
            #expect(edit.config.service(.kalshiAPIWatchdog) == (try ServicesConfig.parse(Data(original.utf8), file: "services.json")).service(.kalshiAPIWatchdog))
            data = edit.edited
        }
        #expect(String(decoding: data, as: UTF8.self) == original)
        #expect(String(decoding: data, as: UTF8.self).contains("\"writers\": [\"sqlite\", \"json\"], \"primary\": \"sqlite\","))
    }

    @Test func theReaderFollowsThePrimary() throws {
        let text = Self.document(btcWriters: "[\"postgres\"]", btcPrimary: "\"postgres\"")
        let entry = try ServicesConfig.parse(Data(text.utf8), file: "services.json").service(.liveDataAnalysis)
        #expect(StageLayout.stages(of: entry) == [.dualLegacyPrimary, .postgres])
        let layout = try #require(StageLayout(entry: entry, stage: .postgres))
        #expect(layout.reader == .postgres && layout.writers == [.postgres])
        let edit = try ServicesFileEdit(path: "services.json", original: Data(text.utf8), service: .liveDataAnalysis, layout: layout)
        #expect(edit.config.service(.liveDataAnalysis).reader == .postgres)
        #expect(String(decoding: edit.edited, as: UTF8.self).contains("\"reader\": \"postgres\","))
        #expect(StageLayout(entry: entry, stage: .legacy) == nil)
    }

    /// The historical ingest's legacy JSON files are a shadow only: its stages are
    /// `dual-postgres-primary` (JSON listed, or its folder still named) and `postgres`; a cutover
    /// tool never offers it a legacy primary its daemon would refuse.
    @Test func theIngestNeverGetsALegacyPrimary() throws {
        let base = Self.document(btcWriters: "[\"postgres\"]", btcPrimary: "\"postgres\"")
        let shadowed = base.replacingOccurrences(
            of: "\"kalshi_historical_ingest\": { \"writers\": [\"postgres\"], \"primary\": \"postgres\" },",
            with: "\"kalshi_historical_ingest\": { \"writers\": [\"postgres\", \"json\"], \"primary\": \"postgres\", \"json_dir\": \"/var/lib/recio/legacy\" },")
        #expect(shadowed != base)
        let config = try ServicesConfig.parse(Data(shadowed.utf8), file: "services.json")
        let entry = config.service(.kalshiHistoricalIngest)
        #expect(try MigrationStage(entry: entry) == .dualPostgresPrimary)
        #expect(StageLayout.stages(of: entry) == [.dualPostgresPrimary, .postgres])
        #expect(StageLayout(entry: entry, stage: .legacy) == nil)
        #expect(StageLayout(entry: entry, stage: .dualLegacyPrimary) == nil)
        let postgres = try #require(StageLayout(entry: entry, stage: .postgres))
        #expect(postgres.writers == [.postgres] && postgres.primary == .postgres)
        let plain = try ServicesConfig.parse(Data(base.utf8), file: "services.json").service(.kalshiHistoricalIngest)
        #expect(StageLayout.stages(of: plain) == [.postgres])
    }

    @Test func unitHealthNeedsTheNewWritersInTheStatus() {
        let dual = StageLayout(writers: [.sqlite, .postgres], primary: .sqlite, reader: nil)
        let running = UnitState(showOutput: "ActiveState=active\nSubState=running\nStatusText=source coinbase_ws · writing sqlite+postgres · pending 3\nMainPID=42\n")
        #expect(running.mainPID == 42 && running.pending == 3 && running.writing == ["sqlite", "postgres"])
        #expect(running.problem(expecting: dual) == nil)
        let old = UnitState(activeState: "active", subState: "running", statusText: "writing sqlite · pending 0")
        #expect(old.problem(expecting: dual)?.contains("expected postgres") == true)
        let flipped = StageLayout(writers: [.sqlite, .postgres], primary: .postgres, reader: nil)
        #expect(running.problem(expecting: flipped)?.contains("primary") == true)
        #expect(UnitState(activeState: "reloading", subState: "running", statusText: "writing sqlite").problem(expecting: nil) != nil)
        #expect(UnitState(activeState: "active", subState: "running", statusText: "STALE: no price").problem(expecting: nil) != nil)
        #expect(UnitState(activeState: "failed", subState: "failed", statusText: "").problem(expecting: nil) == "unit is failed/failed")
    }
}
