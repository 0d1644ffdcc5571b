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
}
