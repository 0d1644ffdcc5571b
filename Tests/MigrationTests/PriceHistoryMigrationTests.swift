import Foundation
import Testing
@testable import Migration
import StorageKit

@Suite("backfill and parity of price history", .timeLimit(.minutes(5)))
struct PriceHistoryMigrationTests {
    /// Rows PostgreSQL had before the legacy file's horizon (the live writer's earlier history):
    /// the hour the legacy trim removed.
    static func seedOlderHistory(_ conn: PostgresConnection, _ schema: PostgresIdentifier) async throws {
        let writer = try PostgresWriter<PriceTick>(connection: conn, schema: schema, logger: TestPostgres.logger)
        let ticks = (LegacyFixture.trimmedStart..<(LegacyFixture.trimmedStart + 3600)).map {
            PriceTick(second: $0, price: USDCents(cents: LegacyFixture.cents($0)), source: .coinbaseWebSocket)
        }
        try await writer.write(ticks)
    }

    static func backfill(_ fixture: LegacyFixture, _ schema: PostgresIdentifier, dir: URL, chunk: Int = 5000,
                         checkpoint: String? = nil, stopAfter: Int? = nil) async throws -> BackfillSummary {
        let options = PriceHistoryBackfill.Options(source: fixture.path, postgres: try TestPostgres.configuration(), schema: schema,
                                                   chunkSize: chunk, rejectFile: dir.appendingPathComponent("rejects").path,
                                                   checkpointFile: checkpoint)
        return try await PriceHistoryBackfill(options: options, logger: TestPostgres.logger).run(stopAfterChunks: stopAfter)
    }

    static func parity(_ fixture: LegacyFixture, _ schema: PostgresIdentifier, from: Int64? = nil, leafRows: Int? = nil) async throws -> ParityReport {
        var options = PriceHistoryParity.Options(sqlitePath: fixture.path, postgres: try TestPostgres.configuration(), schema: schema, from: from)
        options.search.listLimit = 100
        if let leafRows { options.search.leafRows = leafRows }
        return try await PriceHistoryParity(options: options, logger: TestPostgres.logger).run()
    }

    static func stored(_ conn: PostgresConnection, _ schema: PostgresIdentifier) async throws -> [Int64: (Int64, String)] {
        let rows = try await conn.query("SELECT extract(epoch FROM ts)::bigint::text, price::text, source FROM \(schema.quoted).price_history")
        var out: [Int64: (Int64, String)] = [:]
        for row in rows.rows { out[Int64(row[0]!)!] = (USDCents(decimalString: row[1]!)!.cents, row[2]!) }
        return out
    }

    /// The legacy side's row hash is bit for bit the expression PostgreSQL evaluates in the parity query.
    @Test func canonicalHashIsThePostgresExpression() async throws {
        try await TestPostgres.withSchema { _, conn in
            let sql = "SELECT " + CanonicalRowHash.sql(instant: "to_timestamp($1::double precision)", price: "$2::numeric(14,2)") + "::text"
            // Whole-digit and fraction-only prices, trailing zero digits (64000.00, 10000.00, 1.00),
            // one to four base-10000 digits, the largest numeric(14,2), and seconds across 2^31 and 2^32.
            let cases: [(Int64, Int64)] = [(1_730_524_800, 6_412_345), (946_684_801, 1), (4_102_444_799, 99_999_999_999_9),
                                           (1_735_707_600, 100), (1_780_271_400, 6_400_999), (2_147_483_648, 5), (4_294_967_296, 77),
                                           (1_730_524_800, 6_400_000), (1_730_524_801, 1_000_000), (1_730_524_802, 10), (1_730_524_803, 99),
                                           (0, 12_345), (1_730_524_804, 100_000_000), (1_730_524_805, 123_456_789_012),
                                           (1_730_524_806, 100_000_000_001), (1_730_524_807, 50)]
            for (second, cents) in cases {
                let text = CanonicalRowHash.text(second: second, cents: cents)
                let pg = try await conn.query(sql, [String(second), USDText.format(cents)]).scalar
                #expect(pg == String(Int64(bitPattern: CanonicalRowHash.hash(second: second, cents: cents))), "\(text)")
            }
            // The price hash beyond numeric(14,2) (the digits of any Int64 amount) and zero, under any seed.
            let wide = "SELECT hash_numeric_extended($2::numeric, $1::bigint)::text"
            for (seed, cents) in [(1_730_524_800, Int64.max), (7, 0), (-1, 123_456_789_012_345_678)] as [(Int64, Int64)] {
                let pg = try await conn.query(wide, [String(seed), USDText.format(cents)]).scalar
                #expect(pg == String(Int64(bitPattern: PostgresNumericHash.extended(cents: cents, seed: UInt64(bitPattern: seed)))), "\(seed) \(cents)")
            }
            // The instant's hash before 1970 (negative microseconds), at 0, and where the high word changes.
            let instant = "SELECT interval_hash_extended(to_timestamp($1::double precision) - timestamptz '1970-01-01 00:00:00+00', 0)::text"
            for second: Int64 in [-1, -86_400 * 365, 0, 1, 4294, 4295, 1_730_524_800, 4_102_444_799] {
                let pg = try await conn.query(instant, [String(second)]).scalar
                #expect(pg == String(Int64(bitPattern: CanonicalRowHash.timeSeed(second: second))), "\(second)")
            }
            // Every second of these two-hour windows (each across several changes of the high word)
            // has its own seed: the folding to 32 bits does not merge two seconds of one bucket.
            for start: Int64 in [1_730_520_000, 1_735_707_600, 2_147_480_000] {
                #expect(Set((start..<(start + 7200)).map { CanonicalRowHash.timeSeed(second: $0) }).count == 7200)
            }
            // A different price or second changes the hash.
            #expect(CanonicalRowHash.hash(second: 1_730_524_800, cents: 6_412_345) != CanonicalRowHash.hash(second: 1_730_524_800, cents: 6_412_346))
            #expect(CanonicalRowHash.hash(second: 1_730_524_800, cents: 6_412_345) != CanonicalRowHash.hash(second: 1_730_524_801, cents: 6_412_345))
            #expect(SegmentChecksum.wrappingSum(decimalText: "-1") == UInt64.max)
            #expect(SegmentChecksum.wrappingSum(decimalText: "18446744073709551617") == 1)
        }
    }

    @Test func backfillLoadsEverythingOnceAndParityIsOK() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            try await TestPostgres.withSchema { schema, conn in
                try await Self.seedOlderHistory(conn, schema)
                // A second the legacy never wrote, which PostgreSQL carried forward.
                let carried = LegacyFixture.start + 97 * (LegacyFixture.start / 97 + 1) - LegacyFixture.start
                #expect(LegacyFixture.skipped(carried))
                try await PostgresWriter<PriceTick>(connection: PostgresConnection(configuration: try TestPostgres.configuration(), logger: TestPostgres.logger),
                                                    schema: schema, logger: TestPostgres.logger)
                    .write([PriceTick(second: carried, price: USDCents(cents: 6_400_000), source: .carriedForward)])

                let summary = try await Self.backfill(fixture, schema, dir: dir)
                #expect(summary.read == fixture.rowsInFile)
                #expect(summary.rejected == LegacyFixture.corruptCount)
                #expect(summary.inserted == fixture.expected.count)
                #expect(summary.alreadyPresent == 0)
                #expect(summary.fallBackRuleApplied == fixture.ambiguousRows)
                #expect(fixture.ambiguousRows > 3000)

                // Every expected second with its exact cents, source legacy_backfill.
                let rows = try await Self.stored(conn, schema)
                for (second, cents) in fixture.expected {
                    #expect(rows[second]?.0 == cents, "second \(second)")
                    #expect(rows[second]?.1 == "legacy_backfill")
                }
                // Rejects: raw rows and reasons, line for line.
                let data = try String(contentsOfFile: dir.appendingPathComponent("rejects").path, encoding: .utf8)
                let log = try String(contentsOfFile: dir.appendingPathComponent("rejects").path + ".log", encoding: .utf8)
                #expect(data.split(separator: "\n").count == LegacyFixture.corruptCount)
                #expect(log.split(separator: "\n").count == LegacyFixture.corruptCount)
                #expect(log.contains("spring-forward"))
                #expect(log.contains("price is NULL"))
                #expect(log.contains("timestamp is NULL"))
                #expect(data.contains("garbage\t64000.0"))

                let report = try await Self.parity(fixture, schema)
                #expect(report.ok, "\(report.rendered())")
                #expect(report.mismatchCount == 0)
                #expect(report.artefactCounts["legacy_trimmed"] == 3600)  // seeded for every second of the trimmed hour
                #expect(report.artefactCounts["never_written_by_legacy"] == 1)
                #expect(report.legacyRows == fixture.expected.count)
                #expect(report.fallBackRuleApplied == fixture.ambiguousRows)
                #expect(report.rendered().hasSuffix("parity: OK\n"))

                // Second run: nothing new.
                let again = try await Self.backfill(fixture, schema, dir: dir)
                #expect(again.inserted == 0)
                #expect(again.alreadyPresent == fixture.expected.count)
                #expect(again.rejected == LegacyFixture.corruptCount)
            }
        }
    }

    /// Parity skips `quick_check`, so a damaged legacy file must still end in an error (its table
    /// scan reads every page), never in a report, let alone an OK one.
    @Test func parityOnADamagedLegacyFileIsAnError() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: fixture.path))
            let size = try handle.seekToEnd()
            // Garbage over the middle half of the file, past the header and schema page.
            try handle.seek(toOffset: size / 4)
            try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size / 2)))
            try handle.close()
            try await TestPostgres.withSchema { schema, _ in
                let error = await #expect(throws: (any Error).self) { _ = try await Self.parity(fixture, schema) }
                #expect(error != nil)
            }
        }
    }

    /// Both ways to the rows: a differing bucket read whole (the default), and bisected level by
    /// level down to `leafSeconds` (`leafRows` 0).
    @Test(arguments: [nil, 0])
    func parityFindsExactlyTheDamagedRows(leafRows: Int?) async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            try await TestPostgres.withSchema { schema, conn in
                _ = try await Self.backfill(fixture, schema, dir: dir)
                let table = "\(schema.quoted).price_history"
                let deleted = LegacyFixture.start + 1000
                let changed = LegacyFixture.end - 500
                var added = LegacyFixture.start + 2000
                while !LegacyFixture.skipped(added) { added += 1 }
                #expect(fixture.expected[deleted] != nil && fixture.expected[changed] != nil && fixture.expected[added] == nil)
                try await conn.execute("DELETE FROM \(table) WHERE ts = to_timestamp($1::double precision)", [String(deleted)])
                try await conn.execute("UPDATE \(table) SET price = price + 0.01 WHERE ts = to_timestamp($1::double precision)", [String(changed)])
                try await conn.execute("INSERT INTO \(table) (ts, price, source) VALUES (to_timestamp($1::double precision), 64000.00, 'coinbase_ws')", [String(added)])

                let report = try await Self.parity(fixture, schema, leafRows: leafRows)
                #expect(!report.ok)
                #expect(report.mismatchCount == 3)
                let byKind = Dictionary(grouping: report.mismatches, by: \.second)
                #expect(byKind[deleted]?.first?.kind == .missingInPostgres)
                #expect(byKind[changed]?.first?.kind == .valueDiffers)
                #expect(byKind[changed]?.first?.legacyPrice == USDText.format(fixture.expected[changed]!))
                #expect(byKind[changed]?.first?.postgresPrice == USDText.format(fixture.expected[changed]! + 1))
                #expect(byKind[added]?.first?.kind == .missingInLegacy)
                #expect(report.hashDifferBuckets == 2)  // the delete and the add share an hour: equal count, different hash
                #expect(report.rendered().contains("parity: FAILED (3 unexplained difference(s))"))
            }
        }
    }

    @Test func resumesFromCheckpoint() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            try await TestPostgres.withSchema { schema, conn in
                let checkpoint = dir.appendingPathComponent("checkpoint.json").path
                let first = try await Self.backfill(fixture, schema, dir: dir, chunk: 4000, checkpoint: checkpoint, stopAfter: 2)
                #expect(FileManager.default.fileExists(atPath: checkpoint))
                #expect(first.read < fixture.rowsInFile)
                let second = try await Self.backfill(fixture, schema, dir: dir, chunk: 4000, checkpoint: checkpoint)
                #expect(second.resumed)
                #expect(second.read == fixture.rowsInFile)
                #expect(second.inserted == fixture.expected.count)
                #expect(second.rejected == LegacyFixture.corruptCount)
                #expect(!FileManager.default.fileExists(atPath: checkpoint))
                let log = try String(contentsOfFile: dir.appendingPathComponent("rejects").path + ".log", encoding: .utf8)
                #expect(log.split(separator: "\n").count == LegacyFixture.corruptCount)
                #expect(try await Self.stored(conn, schema).count == fixture.expected.count)
            }
        }
    }

    @Test func nonSQLiteInputIsAClearErrorAndWritesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let bogus = dir.appendingPathComponent("btc_price_history.db")
            try Data("this is not a database, just text\n".utf8).write(to: bogus)
            let other = dir.appendingPathComponent("other.db")
            let db = try SQLiteConnection(path: other.path)
            try db.execute("CREATE TABLE t (x)")
            db.close()
            try await TestPostgres.withSchema { schema, conn in
                for (path, needle) in [(bogus.path, "not an SQLite database"), (other.path, "no price_log table"), (dir.appendingPathComponent("missing.db").path, "no such file")] {
                    let options = PriceHistoryBackfill.Options(source: path, postgres: try TestPostgres.configuration(), schema: schema,
                                                               rejectFile: dir.appendingPathComponent("r").path)
                    let error = await #expect(throws: MigrationError.self) {
                        _ = try await PriceHistoryBackfill(options: options, logger: TestPostgres.logger).run()
                    }
                    #expect(error?.code == .invalidSource)
                    #expect(error?.description.contains(needle) == true, "\(String(describing: error))")
                }
                #expect(try await conn.query("SELECT count(*) FROM \(schema.quoted).price_history").scalar == "0")
                #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r").path))
            }
        }
    }

    /// The backfill reads ahead while `quick_check` runs on a second opening of the file: a damaged
    /// file must still be refused with the check's clear error before anything is written (no
    /// row, no reject file), whatever the read-ahead met meanwhile.
    @Test func damagedLegacyFileIsRefusedBeforeAnyWrite() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: fixture.path))
            let size = try handle.seekToEnd()
            // Garbage over the last half of the file: the first chunks still read, later pages fail.
            try handle.seek(toOffset: size / 2)
            try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size / 2)))
            try handle.close()
            try await TestPostgres.withSchema { schema, conn in
                let error = await #expect(throws: MigrationError.self) {
                    _ = try await Self.backfill(fixture, schema, dir: dir, chunk: 1000)
                }
                #expect(error?.code == .invalidSource)
                #expect(error?.description.contains("damaged") == true, "\(String(describing: error))")
                let count = try await conn.query("SELECT count(*) FROM \(schema.quoted).price_history").scalar
                #expect(count == "0")
                #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("rejects").path))
            }
        }
    }

    /// A write that fails in the middle of the run (here a trigger refusing one row of the second
    /// chunk, a real server error inside COPY) stops the pipelined reader cleanly: the error
    /// reaches the caller, the checkpoint names only the chunks stored before it, and the resumed
    /// run stores every row exactly once.
    @Test func aWriteErrorMidRunStopsCleanlyAndTheResumeLosesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            try await TestPostgres.withSchema { schema, conn in
                let table = "\(schema.quoted).price_history"
                // Keys sort like their seconds outside the fall-back hour; 2,500 rows in (chunks of 2,000).
                let refused = fixture.expected.keys.sorted()[2_500]
                try await conn.execute("""
                    CREATE FUNCTION \(schema.quoted).refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.ts = to_timestamp(\(refused)) THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$
                    """)
                try await conn.execute("CREATE TRIGGER refuse_one BEFORE INSERT ON \(table) FOR EACH ROW EXECUTE FUNCTION \(schema.quoted).refuse_one()")
                let checkpoint = dir.appendingPathComponent("checkpoint.json").path
                await #expect(throws: (any Error).self) {
                    _ = try await Self.backfill(fixture, schema, dir: dir, chunk: 2000, checkpoint: checkpoint)
                }
                let loaded = try BackfillCheckpoint.load(path: checkpoint)
                let saved = try #require(loaded)
                let stored = try await Self.stored(conn, schema)
                #expect(stored.count == saved.summary.inserted)
                #expect(stored.count > 0 && stored.count < fixture.expected.count)
                #expect(stored[refused] == nil)
                #expect(stored.keys.allSatisfy { $0 < refused })

                try await conn.execute("DROP TRIGGER refuse_one ON \(table)")
                let resumed = try await Self.backfill(fixture, schema, dir: dir, chunk: 2000, checkpoint: checkpoint)
                #expect(resumed.resumed)
                #expect(resumed.read == fixture.rowsInFile)
                #expect(resumed.inserted == fixture.expected.count)
                #expect(resumed.alreadyPresent == 0)
                let all = try await Self.stored(conn, schema)
                #expect(all.count == fixture.expected.count)
                #expect(all.allSatisfy { fixture.expected[$0.key] == $0.value.0 })
                #expect(!FileManager.default.fileExists(atPath: checkpoint))
            }
        }
    }

    /// The progress total is an estimate from the rowids, not a count: on a file written in time
    /// order (rowids without holes) it is the exact number of rows after the key.
    @Test func progressEstimateMatchesTheCountOnATimeOrderedFile() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("btc_price_history.db").path
            let db = try SQLiteConnection(path: path)
            try db.execute(PriceTick.sqlite!.createSQL)
            try db.transaction {
                for t in Int64(0)..<500 {
                    try db.execute("INSERT INTO price_log (timestamp, price) VALUES (?, 64000.5)",
                                   [.text(NewYorkTime.legacyText(epochSeconds: LegacyFixture.start + t))])
                }
            }
            db.close()
            let file = try await LegacyPriceLogFile(path: path, integrityCheck: false)
            let key = NewYorkTime.legacyText(epochSeconds: LegacyFixture.start + 99)
            let all = try await file.estimatedTextKeys(after: nil)
            let after = try await file.estimatedTextKeys(after: key)
            let counted = try await file.countTextKeys(after: key)
            #expect(all == 500)
            #expect(after == 400)
            #expect(counted == 400)
            await file.close()
        }
    }
}
