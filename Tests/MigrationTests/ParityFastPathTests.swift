import Foundation
import Testing
@testable import Migration
import StorageKit

/// Parity's fast paths give exactly what the plain rules give: the remembering key decoder, the
/// month split of PostgreSQL scans, and the readers splitting the legacy table by rowid.
@Suite("parity fast paths agree with the plain rules", .timeLimit(.minutes(5)))
struct ParityFastPathTests {
    /// Keys in time order across both 2024 DST switches (the repeated hour comes twice), the
    /// 2000 and 2100 bounds, and malformed keys sharing a remembered hour's prefix.
    static func keys() -> [String] {
        let (spring, fall) = NewYorkTime.dstBounds(year: 2024)
        var keys: [String] = []
        for t in (spring - 7200)..<(spring + 7200) { keys.append(NewYorkTime.legacyText(epochSeconds: t)) }
        for t in (fall - 7200)..<(fall + 7200) { keys.append(NewYorkTime.legacyText(epochSeconds: t)) }
        // 2000-01-01 00:00 UTC is 1999-12-31 19:00 EST (the bound itself is excluded); 2100 likewise.
        for hour in ["1999-12-31T18", "1999-12-31T19", "2099-12-31T18", "2099-12-31T19"] {
            for clock in ["59:58", "59:59", "00:00", "00:01", "00:02", "30:00", "59:59"] { keys.append("\(hour):\(clock)") }
        }
        keys += ["2024-03-10T02:30:00", "2024-03-10T02:30:01", "2024-03-10T03:00:00",
                 "2024-06-01T10:00:00", "2024-06-01T10:60:00", "2024-06-01T10:00:60", "2024-06-01T10:0a:00", "2024-06-01T10:00:0",
                 "2024-06-01T10:00:00Z", "2024-06-01T10:00-00", "2024-06-01T10:00:01", "2024-06-01 10:00:02", "2024-02-30T10:00:00",
                 "2024-02-29T10:00:00", "2023-02-29T10:00:00", "garbage", "", "2024-06-01T10:00:03"]
        return keys
    }

    @Test func keyDecoderIsTheRule() {
        var decoder = LegacyKeyDecoder()
        var keys = Self.keys()
        for pass in 0..<2 {
            var instants = 0
            for key in keys {
                var text = key
                let (fast, plain) = text.withUTF8 { bytes in
                    let raw = UnsafeRawBufferPointer(bytes)
                    return (decoder.key(bytes: raw), LegacyPriceRule.key(bytes: raw))
                }
                #expect(fast == plain, "\(key) (pass \(pass))")
                if case .instant = plain { instants += 1 }
            }
            #expect(instants > 20_000)
            // The second pass in an order that defeats the remembered hour most of the time.
            var generator = SystemRandomNumberGenerator()
            keys.shuffle(using: &generator)
        }
    }

    /// A whole-file scan (storage order, key range tested in Swift, optionally in rowid parts) sums
    /// to exactly what the key-index scan (key range in SQL) gives: checksums, rejected rows (the
    /// fixture's corrupt rows, NULL key and garbage key included) and fall-back rows.
    @Test func wholeFileScanIsTheIndexScan() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            let file = try await LegacyPriceLogFile(path: fixture.path, integrityCheck: false)
            let windows: [(Int64, Int64)] = [(LegacyFixture.start, LegacyFixture.end), (LegacyFixture.start + 1800, LegacyFixture.end - 1800),
                                             (LegacyFixture.fallBack - 10, LegacyFixture.fallBack + 7)]
            let rowids = try #require(try await file.rowidBounds())
            let middle = (rowids.lowerBound + rowids.upperBound) / 2
            for (from, to) in windows {
                let indexed = try await file.scan(from: from, to: to, origin: from, step: 600)
                let whole = try await file.scan(from: from, to: to, origin: from, step: 600, wholeTable: true)
                let low = try await file.scan(from: from, to: to, origin: from, step: 600, wholeTable: true, rowids: Int64.min...middle)
                let high = try await file.scan(from: from, to: to, origin: from, step: 600, wholeTable: true, rowids: (middle + 1)...Int64.max)
                var parts = low.segments
                for (k, checksum) in high.segments { parts[k, default: SegmentChecksum()].merge(checksum) }
                #expect(whole.segments == indexed.segments && parts == indexed.segments, "\(from)..<\(to)")
                #expect(whole.rejected == indexed.rejected && low.rejected + high.rejected == indexed.rejected)
                #expect(whole.ambiguous == indexed.ambiguous && low.ambiguous + high.ambiguous == indexed.ambiguous)
                #expect(!indexed.segments.isEmpty)
            }
            #expect(try await file.scan(from: LegacyFixture.start, to: LegacyFixture.end, origin: LegacyFixture.start, step: 600).rejected == 3)
            await file.close()
        }
    }

    @Test func monthPartsCutAtMonthStarts() {
        let jan1 = PartitionMonth(year: 2025, month: 1)!.startEpochSeconds
        let feb1 = PartitionMonth(year: 2025, month: 2)!.startEpochSeconds
        let mar1 = PartitionMonth(year: 2025, month: 3)!.startEpochSeconds
        #expect(PostgresParityQueries.monthParts(from: jan1 + 5, to: mar1 - 7, count: 2) == [(jan1 + 5)..<feb1, feb1..<(mar1 - 7)])
        #expect(PostgresParityQueries.monthParts(from: jan1 + 5, to: feb1 - 7, count: 2) == [(jan1 + 5)..<(feb1 - 7)])
        #expect(PostgresParityQueries.monthParts(from: jan1, to: mar1, count: 1) == [jan1..<mar1])
        let parts = PostgresParityQueries.monthParts(from: jan1, to: jan1 + 400 * 86_400, count: 3)
        #expect(parts.count == 3)
        #expect(parts.first?.lowerBound == jan1 && parts.last?.upperBound == jan1 + 400 * 86_400)
        #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && PartitionMonth(epochSeconds: $1.lowerBound).startEpochSeconds == $1.lowerBound })
    }

    /// The same damaged migration compared with one reader per side and with two (rowid halves of
    /// the legacy table, month halves of PostgreSQL: the window spans October and November): the
    /// reports are identical, down to every bucket range and listed row.
    @Test func twoReadersReportExactlyWhatOneReports() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            try await TestPostgres.withSchema { schema, conn in
                try await PriceHistoryMigrationTests.seedOlderHistory(conn, schema)
                _ = try await PriceHistoryMigrationTests.backfill(fixture, schema, dir: dir)
                let table = "\(schema.quoted).price_history"
                try await conn.execute("DELETE FROM \(table) WHERE ts = to_timestamp($1::double precision)", [String(LegacyFixture.start + 1000)])
                try await conn.execute("UPDATE \(table) SET price = price + 0.01 WHERE ts = to_timestamp($1::double precision)", [String(LegacyFixture.end - 500)])
                try await conn.execute("UPDATE \(table) SET price = price - 0.01 WHERE ts = to_timestamp($1::double precision)", [String(LegacyFixture.fallBack + 100)])

                func run(workers: Int) async throws -> (ParityReport, String) {
                    var options = PriceHistoryParity.Options(sqlitePath: fixture.path, postgres: try TestPostgres.configuration(), schema: schema)
                    options.workers = workers
                    options.legacyReaders = workers
                    var report = try await PriceHistoryParity(options: options, logger: TestPostgres.logger).run()
                    report.elapsedSeconds = 0
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = .sortedKeys
                    return (report, String(decoding: try encoder.encode(report), as: UTF8.self))
                }
                let (one, oneJSON) = try await run(workers: 1)
                let (two, twoJSON) = try await run(workers: 2)
                #expect(oneJSON == twoJSON)
                #expect(one.mismatchCount == 2)  // the delete and the change; the fall-back hour's is an artefact
                #expect(one.artefactCounts["fall_back_hour"] == 1)
                #expect(one.artefactCounts["legacy_trimmed"] == 3600)
                #expect(one.legacyRejectedRows == two.legacyRejectedRows && one.legacyRejectedRows > 0)
                #expect(one.fallBackRuleApplied == fixture.ambiguousRows)
                #expect(two.legacyRows == fixture.expected.count)
            }
        }
    }
}
