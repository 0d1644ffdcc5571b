import Foundation
import Testing
@testable import StorageKit

@Suite(.timeLimit(.minutes(1))) struct SQLiteReaderTests {
    let now = utc(2025, 11, 25, 15, 49, 30)

    /// A legacy file with `ticks` written by our writer plus raw rows inserted as the legacy (or a
    /// corruption) might have left them.
    private func makeFile(_ dir: String, ticks: [PriceTick], raw: [String] = []) async throws -> String {
        let file = dir + "/btc_price_history.db"
        let writer = try SQLiteWriter<PriceTick>(path: file, clock: fixedClock(now))
        try await writer.open()
        try await writer.write(ticks)
        try await writer.close()
        let connection = try SQLiteConnection(path: file)
        for statement in raw { try connection.execute(statement) }
        connection.close()
        return file
    }

    @Test func rangeRoundTripsThroughTheIndex() async throws {
        try await withTemporaryPath { dir in
            let written = (0..<300).map { tick(now - 300 + Int64($0), 8_600_000 + Int64($0)) }
            let file = try await makeFile(dir, ticks: written)
            let reader = try await SQLitePriceHistoryReader(path: file)
            let read = try await reader.ticks(from: now - 200, to: now - 100)
            #expect(read.map(\.second) == Array((now - 200)..<(now - 100)))
            #expect(read.map(\.price) == written[100..<200].map(\.price))
            #expect(read.allSatisfy { $0.source == .legacyBackfill })
            #expect(try await reader.latest()?.second == now - 1)
            #expect(try await reader.ticks(from: now, to: now - 10).isEmpty)
            await reader.close()

            let plan = try sqlite3CLI(file, "EXPLAIN QUERY PLAN " + SQLitePriceHistoryReader.rangeSQL
                .replacingOccurrences(of: "?", with: "'2025-11-25T10:00:00'"))
            #expect(plan.contains("SEARCH price_log USING INDEX sqlite_autoindex_price_log_1"))
        }
    }

    @Test func corruptRowsAreReportedNotThrown() async throws {
        try await withTemporaryPath { dir in
            let file = try await makeFile(dir, ticks: [tick(now - 20, 100_00), tick(now - 10, 200_00)], raw: [
                "INSERT INTO price_log (timestamp, price) VALUES ('2025-11-25T10:49:12', NULL)",
                "INSERT INTO price_log (timestamp, price) VALUES ('2025-11-25T10:49:13', 0)",
                "INSERT INTO price_log (timestamp, price) VALUES ('2025-11-25T10:49:14', 'abc')",
                "INSERT INTO price_log (timestamp, price) VALUES ('2025-11-25T10:49:1', 5.0)",
                "INSERT INTO price_log (timestamp, price) VALUES ('zzz garbage', 5.0)",
                "INSERT INTO price_log (timestamp, price) VALUES ('2025-03-09T02:30:00', 5.0)",
            ])
            let reader = try await SQLitePriceHistoryReader(path: file)
            let result = try await reader.ticksWithRejections(from: now - 60, to: now)
            #expect(result.records.map(\.second) == [now - 20, now - 10])
            #expect(result.rejected.map(\.reason) == [
                "timestamp \"2025-11-25T10:49:1\" is not a YYYY-MM-DDTHH:MM:SS local time",
                "price is NULL",
                "price 0.0 is not positive",
                "price is text, not a number",
            ])
            #expect(reader.rejectedCount == 4)

            // The garbage key sorts last; latest() skips and reports it.
            let latest = try await reader.latestWithRejections()
            #expect(latest.tick?.second == now - 10)
            #expect(latest.rejected.map { $0.values[0] } == [.text("zzz garbage")])

            // Spring-forward: 02:30 on 2025-03-09 never happened in New York.
            let spring = try await reader.ticksWithRejections(from: utc(2025, 3, 9, 6), to: utc(2025, 3, 9, 8))
            #expect(spring.records.isEmpty)
            #expect(spring.rejected.map(\.reason) == ["timestamp \"2025-03-09T02:30:00\" is a spring-forward local time that never occurred"])
            await reader.close()

            let all = try await SQLiteRecordReader<PriceTick>(path: file)
            let everything = try await all.readAll()
            #expect(everything.records.map(\.second) == [now - 20, now - 10])
            #expect(everything.rejected.count == 6)
            await all.close()
        }
    }

    @Test func ambiguousKeysReadAsESTInstants() async throws {
        try await withTemporaryPath { dir in
            let file = try await makeFile(dir, ticks: [], raw: [
                "INSERT INTO price_log (timestamp, price) VALUES ('2025-11-02T00:59:59', 1.0)",
                "INSERT INTO price_log (timestamp, price) VALUES ('2025-11-02T01:15:00', 2.0)",
                "INSERT INTO price_log (timestamp, price) VALUES ('2025-11-02T02:00:00', 3.0)",
            ])
            let reader = try await SQLitePriceHistoryReader(path: file)
            let read = try await reader.ticks(from: utc(2025, 11, 2, 4), to: utc(2025, 11, 2, 8))
            #expect(read.map(\.second) == [utc(2025, 11, 2, 4, 59, 59), utc(2025, 11, 2, 6, 15), utc(2025, 11, 2, 7)])
            // The EDT instant of the ambiguous key is not reported: the row is its EST instant.
            #expect(try await reader.ticks(from: utc(2025, 11, 2, 5), to: utc(2025, 11, 2, 6)).isEmpty)
            await reader.close()
        }
    }

    @Test func nonSQLiteFileFailsClearlyAtOpen() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/noise.db"
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            let error = await #expect(throws: SQLiteError.self) { _ = try await SQLitePriceHistoryReader(path: file) }
            #expect(error?.code == .notADatabase)
            #expect(error?.description.contains(file) == true)
            #expect(error?.description.contains("not an SQLite database") == true)

            let missing = await #expect(throws: SQLiteError.self) { _ = try await SQLitePriceHistoryReader(path: dir + "/missing.db") }
            #expect(missing?.code == .cantOpen)

            // A writer on a non-database file fails too, and names it.
            let writer = try SQLiteWriter<PriceTick>(path: file)
            let writeError = await #expect(throws: SQLiteError.self) { try await writer.write([tick(now, 100)]) }
            #expect(writeError?.code == .notADatabase)
        }
    }

    @Test func fileWithoutPriceLogFailsAtOpen() async throws {
        try await withTemporaryPath { dir in
            let file = dir + "/empty.db"
            try SQLiteConnection(path: file).close()
            let error = await #expect(throws: SQLiteError.self) { _ = try await SQLitePriceHistoryReader(path: file) }
            #expect(error?.code == .prepareFailed)
            #expect(error?.message.contains("no such table: price_log") == true)
        }
    }
}
