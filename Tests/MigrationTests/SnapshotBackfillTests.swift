import Foundation
import Testing
@testable import Migration
import ServiceKit
import StorageKit

/// `recioctl backfill snapshots` and verify check 3 on exports written by the real `JSONWriter`
/// and a legacy latest file in the Kalshi wire format, into real PostgreSQL.
@Suite("backfill of market snapshots", .timeLimit(.minutes(5)))
struct SnapshotBackfillTests {
    /// 2025-08-08 20:00 UTC.
    static let hour: Int64 = 1_754_683_200

    static func snapshot(_ second: Int64, _ strike: Int) -> MarketSnapshot {
        MarketSnapshot(second: second, eventTicker: "KXBTCD-25AUG0817", marketTicker: "KXBTCD-25AUG0817-T\(strike)",
                       status: "active", yesBid: DollarAmount(cents: 12), yesAsk: DollarAmount(cents: 14),
                       noBid: DollarAmount(cents: 86), noAsk: DollarAmount(cents: 88), lastPrice: DollarAmount(tenThousandths: 1_3500),
                       volume: ContractCount(hundredths: 1050), volume24h: nil, openInterest: ContractCount(contracts: 7),
                       openTime: hour - 3600, closeTime: hour + 3600 * 2, strikeType: "greater", floorStrike: "\(strike).99",
                       capStrike: nil, rawJSON: "{\"ticker\":\"KXBTCD-25AUG0817-T\(strike)\"}")
    }

    /// A raw market object as Kalshi sends it (fixed-point form), or broken (no prices).
    static func marketJSON(_ strike: Int, broken: Bool = false) -> String {
        var fields = [
            "\"ticker\": \"KXBTCD-25AUG0817-T\(strike)\"", "\"event_ticker\": \"KXBTCD-25AUG0817\"", "\"status\": \"active\"",
            "\"open_time\": \"\(UTCTime.iso8601(epochSeconds: hour - 3600))\"", "\"close_time\": \"\(UTCTime.iso8601(epochSeconds: hour + 7200))\"",
            "\"volume_fp\": \"10.00\"", "\"open_interest_fp\": \"3.00\"", "\"floor_strike\": \(strike).99", "\"strike_type\": \"greater\"",
        ]
        if !broken {
            fields += ["\"yes_bid_dollars\": \"0.1200\"", "\"yes_ask_dollars\": \"0.1400\"", "\"no_bid_dollars\": \"0.8600\"",
                       "\"no_ask_dollars\": \"0.8800\"", "\"last_price_dollars\": \"0.1300\""]
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// Two hour files (3 markets × 40 polls, and 3 × 20), a torn/garbage line, and a latest file
    /// whose poll is partly exported already (market 116000) and partly not (117000), with one
    /// broken market.
    static func makeExport(_ folder: URL) async throws -> (records: Int, latestSecond: Int64) {
        let writer = try JSONWriter<MarketSnapshot>(options: .init(directory: folder.path, archive: true))
        var records: [MarketSnapshot] = []
        for s in 0..<40 { for strike in [114000, 115000, 116000] { records.append(snapshot(hour + Int64(s) * 60, strike)) } }
        for s in 0..<20 { for strike in [114000, 115000, 116000] { records.append(snapshot(hour + 3600 + Int64(s) * 60, strike)) } }
        try await writer.write(records)
        try await writer.close()
        let second = try FileHandle(forWritingTo: folder.appendingPathComponent(JSONWriter<MarketSnapshot>.archiveFileName(stream: "market_snapshots", epochSeconds: hour)))
        try second.seekToEnd()
        try second.write(contentsOf: Data("{\"ts\": \"garbage\"}\n".utf8))
        try second.close()

        let latestSecond = hour + 3600 + 19 * 60 + 2  // two seconds after the last exported poll
        let latest = folder.appendingPathComponent("latest_market_snapshot.json")
        let body = "{\n  \"event\": {\"event_ticker\": \"KXBTCD-25AUG0817\", \"title\": \"Bitcoin price\"},\n  \"markets\": [\n    "
            + [marketJSON(116000), marketJSON(117000), marketJSON(118000, broken: true)].joined(separator: ",\n    ")
            + "\n  ],\n  \"title\": \"Bitcoin price\"\n}\n"
        try Data(body.utf8).write(to: latest)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(latestSecond))], ofItemAtPath: latest.path)
        return (records.count, latestSecond)
    }

    static func backfill(_ folder: URL, _ schema: PostgresIdentifier, dir: URL, checkpoint: String? = nil, stopAfter: Int? = nil) async throws -> BackfillSummary {
        let options = MarketSnapshotBackfill.Options(directory: folder.path, postgres: try TestPostgres.configuration(), schema: schema,
                                                     chunkSize: 50, rejectFile: dir.appendingPathComponent("snapshots.reject").path, checkpointFile: checkpoint)
        return try await MarketSnapshotBackfill(options: options, logger: TestPostgres.logger).run(stopAfterFiles: stopAfter)
    }

    @Test func loadsBothExportsOnceRejectsWithReasonsAndMatchesVerify() async throws {
        try await withTemporaryDirectory { dir in
            let export = dir.appendingPathComponent("legacy")
            let (exported, latestSecond) = try await Self.makeExport(export)
            try await TestPostgres.withSchema { schema, conn in
                let table = "\(schema.quoted).market_snapshots"
                let summary = try await Self.backfill(export, schema, dir: dir)
                // Read: every exported record, the garbage line, and the three latest markets.
                #expect(summary.read == exported + 1 + 3)
                #expect(summary.inserted == exported + 1, "the exported records and the one new latest market")
                #expect(summary.alreadyPresent == 1, "the latest market already exported")
                #expect(summary.rejected == 2)
                let rejects = try String(contentsOf: dir.appendingPathComponent("snapshots.reject"), encoding: .utf8)
                let reasons = try String(contentsOf: dir.appendingPathComponent("snapshots.reject.log"), encoding: .utf8)
                #expect(rejects.contains("{\"ts\": \"garbage\"}"))
                #expect(reasons.contains("market_snapshots-20250808T20.jsonl:121: undecodable"), "\(reasons)")
                #expect(reasons.contains("latest_market_snapshot.json: market KXBTCD-25AUG0817-T118000"), "\(reasons)")
                #expect(try await conn.query("SELECT count(*) FROM \(table)").scalar == String(exported + 1))
                let new = try await conn.query("SELECT extract(epoch FROM ts)::bigint::text, yes_bid::text, floor_strike::text FROM \(table) WHERE market_ticker = 'KXBTCD-25AUG0817-T117000'")
                #expect(new.rows.map { $0.compactMap { $0 } } == [[String(latestSecond), "0.1200", "117000.99"]], "dated by the file's modification second, exact decimals")

                let again = try await Self.backfill(export, schema, dir: dir)
                #expect(again.inserted == 0)
                #expect(again.alreadyPresent == exported + 2)
                #expect(again.rejected == 2)

                // Verify check 3 reads the export with the same reader and compares hourly counts up to
                // the newest exported record: the latest file's new market, dated two seconds later, is
                // past it (once the JSON writer is dropped the table goes on alone).
                let configURL = dir.appendingPathComponent("services.json")
                try writeServicesConfig(at: configURL, schema: schema.name, legacyDir: export)
                let options = MigrationVerifier.Options(config: try ServicesConfig.load(path: configURL.path), continuityFrom: Self.hour, continuityTo: Self.hour + 1,
                                                        postgresOverride: try TestPostgres.configuration())
                let verifier = MigrationVerifier(options: options, logger: TestPostgres.logger)
                let newest = Self.hour + 3600 + 19 * 60
                let matching = await verifier.snapshotExport(conn, schema: schema)
                #expect(matching.status == .pass, "\(matching.evidence)")
                #expect(matching.evidence.first?.contains("… \(TimeArgument.format(newest)) (the newest exported record); 0 differ") == true,
                        "\(matching.evidence)")
                // A row the export lacks within its span is a difference, in its hour.
                try await conn.execute("UPDATE \(table) SET ts = to_timestamp(\(newest)) WHERE market_ticker = 'KXBTCD-25AUG0817-T117000'")
                let differing = await verifier.snapshotExport(conn, schema: schema)
                #expect(differing.status == .fail)
                #expect(differing.evidence.contains("\(TimeArgument.format(Self.hour + 3600)): export 60, table 61"), "\(differing.evidence)")
                try await conn.execute("DELETE FROM \(table) WHERE market_ticker = 'KXBTCD-25AUG0817-T117000'")
                #expect(await verifier.snapshotExport(conn, schema: schema).status == .pass)

                // After archive: the export restored elsewhere is read from there.
                let restored = dir.appendingPathComponent("restored")
                try FileManager.default.moveItem(at: export, to: restored)
                let gone = await verifier.snapshotExport(conn, schema: schema)
                #expect(gone.status == .fail, "the configured json_dir is gone: \(gone.evidence)")
                var elsewhere = options
                elsewhere.snapshotExportDirectory = restored.path
                let fromRestored = await MigrationVerifier(options: elsewhere, logger: TestPostgres.logger).snapshotExport(conn, schema: schema)
                #expect(fromRestored.status == .pass, "\(fromRestored.evidence)")
                #expect(fromRestored.evidence.first?.hasPrefix(restored.path) == true)
            }
        }
    }

    @Test func anInterruptedRunResumesAfterItsLastFile() async throws {
        try await withTemporaryDirectory { dir in
            let export = dir.appendingPathComponent("legacy")
            let (exported, _) = try await Self.makeExport(export)
            try await TestPostgres.withSchema { schema, conn in
                let checkpoint = dir.appendingPathComponent("checkpoint").path
                let first = try await Self.backfill(export, schema, dir: dir, checkpoint: checkpoint, stopAfter: 1)
                #expect(first.inserted == 120)
                #expect(FileManager.default.fileExists(atPath: checkpoint))
                let rest = try await Self.backfill(export, schema, dir: dir, checkpoint: checkpoint)
                #expect(rest.resumed)
                #expect(rest.inserted == exported + 1, "counters carry over from the checkpoint")
                #expect(rest.read == exported + 1 + 3)
                #expect(!FileManager.default.fileExists(atPath: checkpoint))
                #expect(try await conn.query("SELECT count(*) FROM \(schema.quoted).market_snapshots").scalar == String(exported + 1))
                let rejects = try String(contentsOf: dir.appendingPathComponent("snapshots.reject.log"), encoding: .utf8)
                #expect(rejects.split(separator: "\n").count == 2, "the resumed run appends; nothing is listed twice")
            }
        }
    }

    @Test func aFileInsteadOfAFolderIsAClearError() async throws {
        try await withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("latest_market_snapshot.json")
            try Data("{}".utf8).write(to: file)
            try await TestPostgres.withSchema { schema, _ in
                await #expect(throws: MigrationError.self) { try await Self.backfill(file, schema, dir: dir) }
                do {
                    _ = try await Self.backfill(file, schema, dir: dir)
                } catch {
                    #expect("\(error)".contains("is a file; give the folder"))
                }
            }
        }
    }
}

/// `recioctl parity snapshots`: the same engine as price history, over the export and the table.
@Suite("parity of market snapshots", .timeLimit(.minutes(5)))
struct SnapshotParityTests {
    static func parity(_ folder: URL, _ schema: PostgresIdentifier) async throws -> ParityReport {
        let options = MarketSnapshotParity.Options(directory: folder.path, postgres: try TestPostgres.configuration(), schema: schema)
        return try await MarketSnapshotParity(options: options, logger: TestPostgres.logger).run()
    }

    @Test func matchesAfterBackfillAndListsEachChangedRow() async throws {
        try await withTemporaryDirectory { dir in
            let export = dir.appendingPathComponent("legacy")
            let (exported, _) = try await SnapshotBackfillTests.makeExport(export)
            try FileManager.default.removeItem(at: export.appendingPathComponent("latest_market_snapshot.json"))
            try await TestPostgres.withSchema { schema, conn in
                _ = try await SnapshotBackfillTests.backfill(export, schema, dir: dir)
                let ok = try await Self.parity(export, schema)
                #expect(ok.ok, "\(ok.rendered())")
                #expect(ok.legacyRows == exported)
                #expect(ok.postgresRows == exported)
                #expect(ok.legacyRejectedRows == 1, "the garbage line")

                let table = "\(schema.quoted).market_snapshots"
                let hour = SnapshotBackfillTests.hour
                try await conn.execute("UPDATE \(table) SET yes_bid = 0.1300 WHERE ts = to_timestamp(\(hour + 600)) AND market_ticker = 'KXBTCD-25AUG0817-T115000'")
                try await conn.execute("DELETE FROM \(table) WHERE ts = to_timestamp(\(hour + 3600 + 120)) AND market_ticker = 'KXBTCD-25AUG0817-T114000'")
                let report = try await Self.parity(export, schema)
                #expect(!report.ok)
                #expect(report.mismatchCount == 2)
                #expect(report.hashDifferBuckets == 1)
                #expect(report.countDifferBuckets == 1)
                let changed = try #require(report.mismatches.first { $0.kind == .valueDiffers })
                #expect(changed.second == hour + 600)
                #expect(changed.key == "KXBTCD-25AUG0817-T115000")
                #expect(changed.legacyPrice?.contains("|0.1200|") == true)
                #expect(changed.postgresPrice?.contains("|0.1300|") == true)
                let missing = try #require(report.mismatches.first { $0.kind == .missingInPostgres })
                #expect(missing.second == hour + 3600 + 120)
                #expect(missing.key == "KXBTCD-25AUG0817-T114000")
                #expect(report.rendered().contains("parity: FAILED (2 unexplained difference(s))"))
            }
        }
    }
}
