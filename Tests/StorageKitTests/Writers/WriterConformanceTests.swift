import Foundation
import Logging
import Testing
@testable import StorageKit

/// The writers under test, each paired with an independent way to read its store back.
enum WriterUnderTest: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, json, postgres, fanOut, spooledPostgres
    var testDescription: String { rawValue }
}

/// A writer and the read-back path of the store it writes (its reader, not the writer itself).
struct WriterFixture {
    let writer: any Writer<PriceTick>
    /// What the store holds, as (second, cents), ascending.
    let readBack: () async throws -> [PricePair]
}

struct PricePair: Hashable, Comparable, CustomStringConvertible {
    let second: Int64
    let cents: Int64
    static func < (a: Self, b: Self) -> Bool { a.second < b.second }
    var description: String { "\(second)=\(cents)" }
}

extension Array where Element == PriceTick {
    var pairs: [PricePair] { map { PricePair(second: $0.second, cents: $0.price.cents) }.sorted() }
}

/// A second well inside the SQLite writer's 30-day retention for the fixed clock below.
let conformanceBase: Int64 = 1_764_000_000

/// Sets up the writer's store in a fresh folder or schema and always tears it down.
func withWriter(_ kind: WriterUnderTest, _ body: (WriterFixture) async throws -> Void) async throws {
    let logger = TestPostgres.logger
    let clock = fixedClock(conformanceBase + 86_400)
    try await withTemporaryPath { dir in
        let sqlitePath = dir + "/btc_price_history.db"
        func sqliteReadBack() async throws -> [PricePair] {
            // The writer creates its file on the first successful write.
            guard FileManager.default.fileExists(atPath: sqlitePath) else { return [] }
            let reader = try await SQLiteRecordReader<PriceTick>(path: sqlitePath)
            defer { Task { await reader.close() } }
            let result = try await reader.readAll()
            #expect(result.rejected.isEmpty)
            return result.records.pairs
        }
        switch kind {
        case .sqlite:
            let writer = try SQLiteWriter<PriceTick>(path: sqlitePath, clock: clock, logger: logger)
            try await body(WriterFixture(writer: writer, readBack: sqliteReadBack))
        case .json:
            let writer = try JSONWriter<PriceTick>(options: .init(directory: dir, archive: true), logger: logger)
            try await body(WriterFixture(writer: writer, readBack: {
                let result = try await JSONArchiveReader<PriceTick>(directory: dir).read()
                #expect(result.rejected.isEmpty)
                return result.records.pairs
            }))
        case .postgres, .fanOut, .spooledPostgres:
            try await TestPostgres.withSchema { schema, connection in
                let postgres = try PostgresWriter<PriceTick>(configuration: try TestPostgres.configuration(), schema: schema, logger: logger)
                let postgresReadBack = {
                    try await PostgresRecordReader<PriceTick>(connection: connection, schema: schema).records(from: 0, to: 4_102_444_800).pairs
                }
                if kind == .postgres {
                    try await body(WriterFixture(writer: postgres, readBack: postgresReadBack))
                } else if kind == .spooledPostgres {
                    // The same contract with a spool in front (the store is up, so writes go through).
                    let spool = Spool(directory: dir + "/spool", limitBytes: 1 << 20, logger: logger)
                    let spooled = try SpoolingWriter(writer: postgres, spool: spool, role: .primary, logger: logger)
                    try await body(WriterFixture(writer: spooled, readBack: postgresReadBack))
                } else {
                    let sqlite = try SQLiteWriter<PriceTick>(path: sqlitePath, clock: clock, logger: logger)
                    let fanOut = FanOutWriter(primary: sqlite, shadows: [postgres], logger: logger)
                    // Read back after the shadow caught up: both stores must hold the same rows.
                    try await body(WriterFixture(writer: fanOut, readBack: {
                        try await fanOut.flush()
                        let primaryRows = try await sqliteReadBack()
                        let shadowRows = try await postgresReadBack()
                        #expect(primaryRows == shadowRows, "the shadow must hold what the primary holds")
                        return primaryRows
                    }))
                }
            }
        }
    }
}

func ticks(from first: Int64, count: Int, cents: (Int64) -> Int64 = { 6_400_000 + $0 % 997 }) -> [PriceTick] {
    (0..<count).map { i in tick(first + Int64(i), cents(first + Int64(i))) }
}

/// One conformance suite, run against every `Writer`: the contract in `Writer`'s documentation.
@Suite struct WriterConformanceTests {
    @Test(arguments: WriterUnderTest.allCases)
    func roundTripsThroughTheStore(kind: WriterUnderTest) async throws {
        try await withWriter(kind) { fixture in
            let batch = ticks(from: conformanceBase, count: 500)
            try await fixture.writer.write(batch)
            #expect(try await fixture.readBack() == batch.pairs)
            let status = await fixture.writer.status()
            #expect(status.recordsWritten == 500)
            try await fixture.writer.close()
        }
    }

    @Test(arguments: WriterUnderTest.allCases)
    func writingTheSameBatchTwiceLeavesOneCopy(kind: WriterUnderTest) async throws {
        try await withWriter(kind) { fixture in
            let batch = ticks(from: conformanceBase, count: 200)
            try await fixture.writer.write(batch)
            try await fixture.writer.write(batch)
            // An overlapping replay (half old, half new) adds only the new half.
            let overlap = ticks(from: conformanceBase + 100, count: 200)
            try await fixture.writer.write(overlap)
            let stored = try await fixture.readBack()
            #expect(stored.count == 300)
            #expect(Set(stored.map(\.second)).count == 300)
            #expect(stored == ticks(from: conformanceBase, count: 300).pairs)
            try await fixture.writer.close()
        }
    }

    @Test(arguments: WriterUnderTest.allCases)
    func anEmptyBatchIsANoOp(kind: WriterUnderTest) async throws {
        try await withWriter(kind) { fixture in
            try await fixture.writer.write([])
            #expect(await fixture.writer.status().batchesWritten == 0)
            try await fixture.writer.write(ticks(from: conformanceBase, count: 1))
            #expect(try await fixture.readBack().count == 1)
            try await fixture.writer.close()
        }
    }

    /// A batch that names a second twice (out of order, as a gap repair might) stores it once,
    /// with the later record's price; the de-duplication fast path only covers ordered batches.
    @Test(arguments: WriterUnderTest.allCases)
    func duplicatesWithinABatchKeepTheLastRecord(kind: WriterUnderTest) async throws {
        try await withWriter(kind) { fixture in
            var batch = ticks(from: conformanceBase, count: 100)
            batch.append(tick(conformanceBase + 10, 7_000_001))
            batch.append(tick(conformanceBase + 50, 7_000_002))
            try await fixture.writer.write(batch)
            var expected = ticks(from: conformanceBase, count: 100)
            expected[10] = tick(conformanceBase + 10, 7_000_001)
            expected[50] = tick(conformanceBase + 50, 7_000_002)
            #expect(try await fixture.readBack() == expected.pairs)
            #expect(await fixture.writer.status().recordsWritten == 100)
            try await fixture.writer.close()
        }
    }

    /// 30,000 rows of about 45 bytes are more than one 1 MiB COPY chunk.
    @Test(arguments: WriterUnderTest.allCases)
    func aBatchLargerThanOneCopyChunk(kind: WriterUnderTest) async throws {
        try await withWriter(kind) { fixture in
            let batch = ticks(from: conformanceBase, count: 30_000)
            try await fixture.writer.write(batch)
            #expect(try await fixture.readBack() == batch.pairs)
            try await fixture.writer.close()
        }
    }

    @Test(arguments: WriterUnderTest.allCases)
    func invalidPricesAreRejectedAndNothingIsWritten(kind: WriterUnderTest) async throws {
        // NaN and infinities cannot even become a price.
        #expect(USDCents(dollars: .nan) == nil)
        #expect(USDCents(dollars: .infinity) == nil)
        #expect(USDCents(dollars: -.infinity) == nil)
        try await withWriter(kind) { fixture in
            for bad: Int64 in [-1, 0, -6_400_000] {
                var batch = ticks(from: conformanceBase, count: 50)
                batch[25] = tick(conformanceBase + 25, bad)
                await #expect(throws: StorageError.self) { try await fixture.writer.write(batch) }
                do {
                    try await fixture.writer.write(batch)
                } catch let error as StorageError {
                    #expect(error.code == .invalidRecord)
                }
            }
            #expect(try await fixture.readBack().isEmpty, "no row of a rejected batch may be written")
            try await fixture.writer.close()
        }
    }

    @Test(arguments: WriterUnderTest.allCases)
    func flushAndCloseSemantics(kind: WriterUnderTest) async throws {
        try await withWriter(kind) { fixture in
            let batch = ticks(from: conformanceBase, count: 120)
            try await fixture.writer.write(batch)
            try await fixture.writer.flush()
            #expect(try await fixture.readBack() == batch.pairs, "flushed data is visible to an independent reader")
            try await fixture.writer.close()
            try await fixture.writer.close()  // idempotent
            do {
                try await fixture.writer.write(ticks(from: conformanceBase + 1000, count: 1))
                Issue.record("write after close must throw")
            } catch let error as StorageError {
                #expect(error.code == .closed)
            }
            #expect(try await fixture.readBack() == batch.pairs, "closing keeps what was written")
        }
    }
}
