import Foundation
import Testing
@testable import StorageKit

/// A record whose table rejects `value >= 100` with a CHECK constraint, to fail a batch midway.
private struct CheckedRow: StorableRecord {
    var key: String
    var value: Double
    static let dataset = "checked_rows"
    var naturalKey: String { key }
    func validate() throws {}
    static var sqlite: SQLiteMapping<CheckedRow>? {
        SQLiteMapping(
            table: "checked",
            createSQL: "CREATE TABLE IF NOT EXISTS checked (k TEXT PRIMARY KEY, v REAL CHECK (v < 100))",
            insertSQL: "INSERT OR REPLACE INTO checked (k, v) VALUES (?, ?)",
            bindRows: { batch, _ in batch.map { [.text($0.key), .real($0.value)] } },
            selectSQL: "SELECT k, v FROM checked ORDER BY k",
            decode: { row in row[0].text.flatMap { k in row[1].double.map { CheckedRow(key: k, value: $0) } } }
        )
    }
}

/// A record with no SQLite layout.
private struct NoSQLite: StorableRecord {
    static let dataset = "none"
    var naturalKey: String { "" }
    func validate() throws {}
}

@Suite(.timeLimit(.minutes(1))) struct SQLiteWriterTests {
    let now = utc(2025, 11, 25, 15, 49, 30)

    private func allRows(_ file: String) async throws -> [SQLiteRowValues] {
        let db = SQLiteDatabase(path: file, options: .init(readOnly: true))
        let rows = try await db.read { try $0.query("SELECT * FROM price_log ORDER BY timestamp", []) }
        await db.close()  // on a throw, the connection's deinit closes it
        return rows
    }

    @Test func legacySchemaAndKeyFormatAsSeenBySqlite3() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/btc_price_history.db"
            let writer = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
            // 2025-11-25T15:49:30Z is 10:49:30 EST; 2025-11-02T06:30:00Z is 01:30:00 EST.
            try await writer.write([tick(now, 8_650_012), tick(utc(2025, 11, 2, 6, 30), 6_400_000)])
            try await writer.close()

            let schema = try sqlite3CLI(file, ".schema")
            #expect(schema == """
                CREATE TABLE price_log (timestamp TEXT PRIMARY KEY, price REAL, one_minute_avg REAL, \
                momentum REAL, delta_1m REAL, delta_2m REAL, delta_3m REAL, delta_4m REAL, delta_15m REAL, delta_30m REAL);

                """)
            let rows = try sqlite3CLI(file, "SELECT timestamp, typeof(price), price, one_minute_avg, typeof(momentum) FROM price_log ORDER BY timestamp")
            #expect(rows == """
                2025-11-02T01:30:00|real|64000.0|0.0|null
                2025-11-25T10:49:30|real|86500.12|64000.0|null

                """)
        }
    }

    @Test func oneMinuteAverageFollowsTheLegacyDefinition() async throws {
        try await withTemporaryPath { dir in
            let t0 = now - 1000
            let series = [tick(t0, 10_000), tick(t0 + 10, 10_100), tick(t0 + 30, 10_300), tick(t0 + 70, 10_400),
                          tick(t0 + 75, 10_500), tick(t0 + 200, 11_000)]
            // Hand-computed: empty table → 0.0; then the mean of the earlier rows within 60 s
            // (t-60 included); an empty minute falls back to the latest price.
            let expected: [Double] = [0.0, 100.0, 100.5, (101 + 103) / 2, (103 + 104) / 2, 105.0]

            let oneByOne = try SQLiteWriter<PriceTick>(path: dir + "/a.db", clock: fixedClock(now))
            for t in series { try await oneByOne.write([t]) }
            try await oneByOne.close()
            let atOnce = try SQLiteWriter<PriceTick>(path: dir + "/b.db", clock: fixedClock(now))
            try await atOnce.write(series.reversed())
            try await atOnce.close()

            let a = try await allRows(dir + "/a.db")
            let b = try await allRows(dir + "/b.db")
            #expect(a.map { $0[2].double! } == expected)
            #expect(a == b)
        }
    }

    @Test func sameBatchTwiceLeavesOneIdenticalCopy() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/p.db"
            let writer = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
            let batch = (0..<500).map { tick(now - 600 + Int64($0), 9_000_000 + Int64($0 % 37)) }
            try await writer.write(batch)
            let first = try await allRows(file)
            try await writer.write(batch)
            let second = try await allRows(file)
            #expect(first.count == 500)
            #expect(first == second)
            let status = await writer.status()
            #expect(status.batchesWritten == 2)
            #expect(writer.name == "sqlite")
            try await writer.close()
        }
    }

    @Test func trimDeletesRowsOlderThanThirtyDaysFromTheInjectedClock() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/p.db"
            let writer = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
            let day: Int64 = 86_400
            try await writer.write([tick(now - 31 * day, 100), tick(now - 30 * day - 1, 200), tick(now - 30 * day, 300),
                                    tick(now - 29 * day, 400)])
            let prices = try await allRows(file).map { $0[1].double! }
            #expect(prices == [3.0, 4.0])
            try await writer.close()
        }
    }

    @Test func invalidRecordFailsTheBatchAndWritesNothing() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/p.db"
            let writer = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
            try await writer.write([tick(now - 5, 100)])
            await #expect(throws: StorageError.self) {
                try await writer.write([tick(now - 3, 100), tick(now - 2, 0)])
            }
            await #expect(throws: StorageError.self) {
                try await writer.write([tick(now - 1, -5)])
            }
            #expect(try await allRows(file).count == 1)
            try await writer.close()
            await #expect(throws: StorageError.self) { try await writer.write([tick(now, 100)]) }
        }
    }

    @Test func recordWithoutLayoutIsUnsupported() throws {
        #expect(throws: StorageError.self) { try SQLiteWriter<NoSQLite>(path: "/tmp/unused.db") }
    }

    @Test func constraintFailureMidBatchRollsBackEverything() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/c.db"
            let writer = try SQLiteWriter<CheckedRow>(path: file)
            try await writer.write([CheckedRow(key: "a", value: 1)])
            let error = await #expect(throws: SQLiteError.self) {
                try await writer.write([CheckedRow(key: "b", value: 2), CheckedRow(key: "c", value: 3), CheckedRow(key: "d", value: 500)])
            }
            #expect(error?.code == .constraint)
            #expect(error?.sql?.hasPrefix("INSERT OR REPLACE INTO checked") == true)
            #expect(try sqlite3CLI(file, "SELECT k FROM checked") == "a\n")
            try await writer.close()
        }
    }

    @Test func readOnlyConnectionFailsWithThePathAndWritesNothing() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/p.db"
            let setup = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
            try await setup.write([tick(now - 10, 100)])
            try await setup.close()

            let writer = try SQLiteWriter<PriceTick>(path: file, options: .init(readOnly: true), clock: fixedClock(now))
            let error = await #expect(throws: SQLiteError.self) {
                try await writer.write([tick(now - 2, 200), tick(now - 1, 300)])
            }
            #expect(error?.code == .readOnly)
            #expect(error?.description.contains(file) == true)
            #expect(error?.description.contains("read-only") == true)
            #expect(try await allRows(file).count == 1)
            try await writer.close()
        }
    }

    // chmod does not stop root, so this one needs an unprivileged user (CI runs it as one).
    @Test(.enabled(if: getuid() != 0)) func writeProtectedFileFailsAtOpenWithThePath() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/p.db"
            let setup = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
            try await setup.write([tick(now - 10, 100)])
            try await setup.close()
            chmod(file, 0o444)
            chmod(dir, 0o555)

            let writer = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
            let error = await #expect(throws: SQLiteError.self) { try await writer.write([tick(now - 1, 300)]) }
            #expect(error?.code == .readOnly)
            #expect(error?.description.contains(file) == true)

            // Once the operator fixes the permissions, the same writer reopens the file and writes.
            chmod(dir, 0o755)
            chmod(file, 0o644)
            #expect(try await allRows(file).count == 1)
            try await writer.write([tick(now - 1, 300)])
            #expect(try await allRows(file).count == 2)
            try await writer.close()
        }
    }

    @Test func lockHeldByAnotherConnectionIsBusyThenRecovers() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/p.db"
            let writer = try SQLiteWriter<PriceTick>(path: file, options: .init(busyTimeout: .zero), clock: fixedClock(now))
            try await writer.open()
            let other = try SQLiteConnection(path: file)
            try other.execute("BEGIN IMMEDIATE")
            let error = await #expect(throws: SQLiteError.self) { try await writer.write([tick(now - 1, 300)]) }
            #expect(error?.code == .busy)
            try other.execute("ROLLBACK")
            try await writer.write([tick(now - 1, 300)])
            #expect(try await allRows(file).count == 1)
            other.close()
            try await writer.close()
        }
    }

    /// Rows are bound one by one from one reused array: a row without derived columns after rows
    /// with them must get NULLs, not the previous row's values; a later row's columns its own.
    @Test func derivedColumnsAreEachRowsOwnWhenRowsAreStreamed() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/p.db"
            let writer = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
            var withColumns = tick(now - 3, 100)
            withColumns.legacyColumns = LegacyPriceColumns(momentum: 1.5, delta1m: -2.25, delta2m: nil, delta3m: 3,
                                                           delta4m: 4, delta15m: 15, delta30m: .nan)
            var other = tick(now - 1, 300)
            other.legacyColumns = LegacyPriceColumns(momentum: nil, delta1m: 7, delta2m: 8, delta3m: nil,
                                                     delta4m: nil, delta15m: nil, delta30m: 30)
            // Given out of time order: the writer sorts, then streams.
            try await writer.write([other, tick(now - 2, 200), withColumns])
            try await writer.close()
            #expect(try sqlite3CLI(file, """
                SELECT timestamp, price, quote(momentum), quote(delta_1m), quote(delta_2m), quote(delta_3m), \
                quote(delta_4m), quote(delta_15m), quote(delta_30m) FROM price_log ORDER BY timestamp
                """) == """
                2025-11-25T10:49:27|1.0|1.5|-2.25|NULL|3.0|4.0|15.0|NULL
                2025-11-25T10:49:28|2.0|NULL|NULL|NULL|NULL|NULL|NULL|NULL
                2025-11-25T10:49:29|3.0|NULL|7.0|8.0|NULL|NULL|NULL|30.0

                """)
        }
    }

    /// The mapping's streamed rows and its one-list form are the same rows (the list form feeds the
    /// benchmark's `sqlite3 .import` baseline).
    @Test func streamedRowsEqualTheListOfRows() async throws {
        try await withTemporaryPath { dir in
            let mapping = try #require(PriceTick.sqlite)
            let batch = (0..<300).map { tick(now - 300 + Int64($0), 9_000_000 + Int64($0 * 13 % 101)) }
            var streamed: [[SQLiteValue]] = []
            let context = try SQLiteConnection(path: dir + "/p.db")
            try context.execute(mapping.createSQL)
            try mapping.forEachRow(batch, context) { streamed.append($0) }
            #expect(streamed.count == 300)
            #expect(streamed == (try mapping.bindRows(batch, context)))
            #expect(streamed == (try LegacyPriceLog.bindRowsForBenchmark(batch)))
            #expect(Set(streamed.compactMap { $0[0].text }).count == 300)
            #expect(streamed[1][2] == .real(90_000.00 + Double(0 * 13 % 101) / 100))
        }
    }

    /// A statement rebinds every parameter without clearing first, so binding fewer values than it
    /// has parameters must still leave the rest NULL, not the previous values.
    @Test func fewerValuesThanParametersLeaveTheRestNull() async throws {
        try await withTemporaryPath { dir in
            let connection = try SQLiteConnection(path: dir + "/p.db")
            let select = try connection.prepare("SELECT ?1, ?2")
            #expect(try select.query([.integer(1), .text("two")]) == [[.integer(1), .text("two")]])
            #expect(try select.query([.integer(3)]) == [[.integer(3), .null]])
            #expect(try select.query([.real(4.5), .null]) == [[.real(4.5), .null]])
        }
    }

    @Test func autumnFallBackKeysAreWhatTheLegacyWrote() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/p.db"
            let start = utc(2025, 11, 2, 5)  // 01:00:00 EDT
            let fallBack = utc(2025, 11, 2, 6)  // 01:00:00 EST
            // One tick a second for two hours, except EST 01:40:00-01:44:59 (no ticker then).
            let gap = (fallBack + 40 * 60)..<(fallBack + 45 * 60)
            let ticks = (start..<(start + 7200)).filter { !gap.contains($0) }.map { tick($0, 6_000_000 + ($0 - start)) }
            let writer = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(fallBack + 7200))
            try await writer.write(Array(ticks[..<1000]))
            try await writer.write(Array(ticks[1000...]))
            try await writer.close()

            #expect(try sqlite3CLI(file, "SELECT count(*), min(timestamp), max(timestamp) FROM price_log")
                    == "3600|2025-11-02T01:00:00|2025-11-02T01:59:59\n")
            // The EST second overwrote the EDT one...
            #expect(try sqlite3CLI(file, "SELECT price FROM price_log WHERE timestamp = '2025-11-02T01:30:00'")
                    == "\(Double(6_000_000 + 3600 + 1800) / 100)\n")
            // ...except where EST had no tick: the EDT row survived.
            #expect(try sqlite3CLI(file, "SELECT price FROM price_log WHERE timestamp = '2025-11-02T01:42:00'")
                    == "\(Double(6_000_000 + 42 * 60) / 100)\n")

            // The reader applies the documented rule: every key of that hour is its EST instant.
            let reader = try await SQLitePriceHistoryReader(path: file)
            let read = try await reader.ticks(from: start, to: start + 7200)
            #expect(read.count == 3600)
            #expect(read.first?.second == fallBack)
            #expect(read.last?.second == fallBack + 3599)
            #expect(read.first { $0.second == fallBack + 42 * 60 }?.price == USDCents(cents: 6_000_000 + 42 * 60))
            #expect(reader.rejectedCount == 0)
            await reader.close()
        }
    }
}
