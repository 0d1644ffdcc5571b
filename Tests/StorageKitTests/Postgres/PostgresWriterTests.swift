import Foundation
import Testing
@testable import StorageKit

@Suite struct PostgresWriterTests {
    static let base: Int64 = 1_780_271_400  // 2026-05-31T23:50:00Z: batches cross into June

    static func ticks(_ range: Range<Int>, cents: Int64 = 6_412_345) -> [PriceTick] {
        range.map { PriceTick(second: base + Int64($0), price: USDCents(cents: cents + Int64($0)), source: .coinbaseWebSocket) }
    }

    static func writer(_ schema: PostgresIdentifier) throws -> PostgresWriter<PriceTick> {
        try PostgresWriter<PriceTick>(configuration: try TestPostgres.configuration(), schema: schema, logger: TestPostgres.logger)
    }

    static func count(_ schema: PostgresIdentifier, _ connection: PostgresConnection, table: String = "price_history") async throws -> Int {
        Int(try await connection.query("SELECT count(*) FROM \(schema.quoted).\(table)").scalar ?? "") ?? -1
    }

    @Test(arguments: [5, 200])
    func roundTripsThroughTheReader(size: Int) async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            let batch = Self.ticks(0..<size)
            try await writer.write(batch)
            let reader = try PostgresPriceHistoryReader(connection: connection, schema: schema)
            let back = try await reader.ticks(from: Self.base, to: Self.base + Int64(size))
            #expect(back == batch)
            #expect(try await reader.latest() == batch.last)
            #expect(try await reader.ticks(from: Self.base + 1, to: Self.base + 3) == Array(batch[1..<3]))
            let status = await writer.status()
            #expect(status.recordsWritten == size && status.batchesWritten == 1 && status.failures == 0)
            try await writer.close()
        }
    }

    @Test(arguments: [10, 300])
    func sameBatchTwiceIsStoredOnce(size: Int) async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            let batch = Self.ticks(0..<size)
            try await writer.write(batch)
            try await writer.write(batch)
            // Overlapping batch: half already stored; the stored prices are kept (facts do not change).
            try await writer.write(Self.ticks(size / 2..<size * 2, cents: 100))
            #expect(try await Self.count(schema, connection) == size * 2)
            let firstPrice = try await connection.query(
                "SELECT price::text FROM \(schema.quoted).price_history WHERE ts = $1::timestamptz",
                [UTCTime.postgresText(epochSeconds: Self.base + Int64(size / 2))])
            #expect(firstPrice.scalar == USDCents(cents: 6_412_345 + Int64(size / 2)).description)
            try await writer.close()
        }
    }

    @Test func batchLargerThanOneCopyChunk() async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            // About 40 bytes a row: 60,000 rows is more than two 1 MiB COPY writes.
            let batch = Self.ticks(0..<60_000)
            try await writer.write(batch)
            #expect(try await Self.count(schema, connection) == 60_000)
            let sum = try await connection.query("SELECT sum(price)::text FROM \(schema.quoted).price_history")
            let expected = batch.reduce(Int64(0)) { $0 + $1.price.cents }
            #expect(sum.scalar == USDCents(cents: expected).description)
            try await writer.close()
        }
    }

    @Test func emptyBatchIsANoOp() async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            try await writer.write([])
            #expect(try await Self.count(schema, connection) == 0)
            #expect(await writer.status().batchesWritten == 0)
            try await writer.flush()
            try await writer.close()
        }
    }

    @Test(arguments: [0, -5])
    func invalidRecordFailsTheWholeBatch(cents: Int64) async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            var batch = Self.ticks(0..<100)
            batch[50].price = USDCents(cents: cents)
            let error = await #expect(throws: StorageError.self) { try await writer.write(batch) }
            #expect(error?.code == .invalidRecord)
            #expect(try await Self.count(schema, connection) == 0)
            try await writer.close()
        }
    }

    @Test func writeAfterCloseThrows() async throws {
        try await TestPostgres.withSchema { schema, _ in
            let writer = try Self.writer(schema)
            try await writer.close()
            try await writer.close()
            let error = await #expect(throws: StorageError.self) { try await writer.write(Self.ticks(0..<1)) }
            #expect(error?.code == .closed)
        }
    }

    @Test(arguments: [3, 150])
    func updateAllReplacesNonKeyColumns(size: Int) async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try PostgresWriter<Heartbeat>(configuration: try TestPostgres.configuration(), schema: schema, logger: TestPostgres.logger)
            let beats = (0..<size).map { Heartbeat(service: "svc", second: Self.base + Int64($0), detail: "ok") }
            try await writer.write(beats)
            try await writer.write(beats.map { Heartbeat(service: $0.service, second: $0.second, detail: "stale\tfeed") })
            #expect(try await Self.count(schema, connection, table: "heartbeats") == size)
            let details = try await connection.query("SELECT DISTINCT detail FROM \(schema.quoted).heartbeats")
            #expect(details.rows == [["stale\tfeed"]])
            let reader = try PostgresRecordReader<Heartbeat>(connection: connection, schema: schema, timeColumn: "ts")
            #expect(try await reader.records(from: Self.base, to: Self.base + 2).map(\.second) == [Self.base, Self.base + 1])
            try await writer.close()
        }
    }

    struct Unmapped: StorableRecord {
        static let dataset = "unmapped"
        var naturalKey: String { "x" }
        func validate() throws {}
    }

    @Test func recordWithoutMappingIsUnsupported() throws {
        let error = #expect(throws: StorageError.self) {
            try PostgresWriter<Unmapped>(configuration: PostgresConfiguration(), logger: TestPostgres.logger)
        }
        #expect(error?.code == .unsupportedRecord)
    }

    @Test func partitionsForTheBatchMonthsAreCreated() async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            try await writer.write(Self.ticks(0..<1_200))  // May 31 and June 1
            let parts = try await connection.existingPartitions(schema: schema, table: PostgresIdentifier("price_history"))
            #expect(parts == ["price_history_2026_05", "price_history_2026_06"])
            // A dropped partition (retention) is re-created on the next write.
            try await connection.execute("DROP TABLE \(schema.quoted).price_history_2026_06")
            try await writer.write(Self.ticks(2_000..<2_010))
            #expect(try await Self.count(schema, connection) == 600 + 10)
            try await writer.close()
        }
    }

    /// Price ticks travel as binary COPY; the server must store exactly the values their text
    /// forms name: every second (just after PostgreSQL's 2000 epoch, a leap day, a fall-back day, far
    /// future) and every price shape (cents only, whole base-10000 digits, the column's maximum).
    @Test func binaryCopyStoresExactlyTheTextValues() async throws {
        #expect(PriceTick.postgres?.copyFormat == .binary)
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            let seconds: [Int64] = [946_684_801, 951_782_400, 1_730_524_800, 1_780_271_400, 4_102_444_000]
            let cents: [Int64] = [1, 9, 10, 99, 100, 101, 999, 10_000, 1_000_000, 6_412_345, 100_000_000, 123_456_789_012, 99_999_999_999_999]
            var batch: [PriceTick] = []
            for s in seconds {
                for (i, c) in cents.enumerated() {
                    batch.append(PriceTick(second: s + Int64(i), price: USDCents(cents: c), source: .coinbaseWebSocket))
                }
            }
            #expect(batch.count >= PostgresWritePlan<PriceTick>.smallBatchLimit)  // the COPY path
            try await writer.write(batch)
            let rows = try await connection.query(
                "SELECT ts::text, price::text, source FROM \(schema.quoted).price_history ORDER BY ts")
            let expected: [[String?]] = batch.sorted { $0.second < $1.second }.map {
                [UTCTime.postgresText(epochSeconds: $0.second), $0.price.description, $0.source.rawValue]
            }
            #expect(rows.rows == expected)
            try await writer.close()
        }
    }

    /// The binary encoder against the server directly: zero, negative amounts, NULL, and text that
    /// COPY's text format would have to escape.
    @Test func binaryCopyRoundTripsSignsNullsAndRawText() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            try await connection.execute("CREATE TABLE \(schema.quoted).x (ts timestamptz, n numeric, t text)")
            let values: [(Int64, Int64, String?)] = [
                (-1, -5, "back\\slash\n"), (0, 0, "tab\there"), (1_780_271_400, 1_000_000, "✓ 日本語"), (253_402_300_799, -123_456, nil),
            ]
            let sql = "COPY \(schema.quoted).x (ts, n, t) FROM STDIN WITH (FORMAT binary)"
            let stored = try await connection.withReconnect { conn in
                var next = 0
                return try conn.copyIn(sql, format: .binary) { row in
                    guard next < values.count else { return false }
                    let (second, cents, text) = values[next]
                    row.timestamp(epochSeconds: second)
                    row.cents(cents)
                    if let text { try row.field(text) } else { row.null() }
                    row.endRow()
                    next += 1
                    return true
                }
            }
            #expect(stored == values.count)
            let rows = try await connection.query("SELECT ts::text, n::text, t FROM \(schema.quoted).x ORDER BY ts")
            #expect(rows.rows == values.map { [UTCTime.postgresText(epochSeconds: $0.0), USDCents(cents: $0.1).description, $0.2] })
        }
    }

    /// The direct COPY path's race: another writer inserts a key of the batch's range after the
    /// probe found the range empty (here: it inserted before, uncommitted, so the probe cannot
    /// see it; the COPY waits on it and fails with 23505 once it commits). The batch must still be
    /// stored whole, through the merge, with no error surfaced and no duplicate.
    @Test(.timeLimit(.minutes(2)))
    func aKeyCommittedBetweenProbeAndCopyFallsBackToTheMerge() async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            try await writer.write(Self.ticks(200..<210))  // the May partition exists
            let other = try TestPostgres.connection()
            try await other.execute("BEGIN")
            try await other.execute("INSERT INTO \(schema.quoted).price_history (ts, price, source) VALUES ($1::timestamptz, 1.00, 'other')",
                                    [UTCTime.postgresText(epochSeconds: Self.base + 50)])
            let batch = Self.ticks(0..<100)
            let write = Task { try await writer.write(batch) }
            // Wait until the writer's COPY is blocked on the other transaction's row.
            var blocked = false
            for _ in 0..<3_000 where !blocked {
                let waiting = try await connection.query("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")
                blocked = waiting.scalar != "0"
                if !blocked { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(blocked)
            try await other.execute("COMMIT")
            try await write.value
            await other.close()
            #expect(try await Self.count(schema, connection) == 110)
            let kept = try await connection.query(
                "SELECT price::text, source FROM \(schema.quoted).price_history WHERE ts = $1::timestamptz",
                [UTCTime.postgresText(epochSeconds: Self.base + 50)])
            #expect(kept.rows == [["1.00", "other"]])  // facts do not change: the first stored row stays
            let status = await writer.status()
            #expect(status.failures == 0 && status.recordsWritten == 110)
            try await writer.close()
        }
    }

    /// A batch whose range is partly stored is routed to the merge by the probe, and one whose
    /// range is free but brackets stored keys outside it is not confused: both store every new row once.
    @Test func probeRoutesOverlapsToTheMergeAndDisjointBatchesToCopy() async throws {
        try await TestPostgres.withSchema { schema, connection in
            let writer = try Self.writer(schema)
            try await writer.write(Self.ticks(100..<200))
            // Disjoint on both sides of the stored range (direct COPY), then an overlap (merge).
            try await writer.write(Self.ticks(0..<100))
            try await writer.write(Self.ticks(200..<300))
            let stored = try await writer.writeCountingStored(Self.ticks(50..<400, cents: 100))
            #expect(stored == 100)
            #expect(try await Self.count(schema, connection) == 400)
            let changed = try await connection.query(
                "SELECT count(*) FROM \(schema.quoted).price_history WHERE price = 1.00 OR source <> 'coinbase_ws'")
            #expect(changed.scalar == "0")  // rows 300..<400 have cents 100+i, never exactly 1.00
            try await writer.close()
        }
    }
}
