import Foundation
import Logging
import Testing
@testable import StorageKit

/// The dual-write contract: the primary decides success; a shadow that fails never fails the write,
/// keeps a bounded backlog, and catches up when it recovers.
@Suite(.timeLimit(.minutes(2))) struct FanOutWriterTests {
    static let logger = TestPostgres.logger
    static let fastFail = SQLiteConnection.Options(busyTimeout: .milliseconds(50))
    static let retry = RetryPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))

    /// Holds an exclusive lock on an SQLite file from a second connection, as a legacy reader or a
    /// stuck process would: every writer gets SQLITE_BUSY until `release()`. (Tests run as root,
    /// so file permissions cannot make a file unwritable; a lock can.)
    final class SQLiteLock {
        let connection: SQLiteConnection
        init(_ path: String) throws {
            connection = try SQLiteConnection(path: path)
            try connection.execute("BEGIN EXCLUSIVE")
        }
        func release() throws { try connection.execute("COMMIT") }
    }

    static func sqliteSeconds(_ path: String) async throws -> [Int64] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let reader = try await SQLiteRecordReader<PriceTick>(path: path)
        let seconds = try await reader.readAll().records.map(\.second).sorted()
        await reader.close()
        return seconds
    }

    static func postgresSeconds(_ connection: PostgresConnection, _ schema: PostgresIdentifier) async throws -> [Int64] {
        try await PostgresRecordReader<PriceTick>(connection: connection, schema: schema).records(from: 0, to: 4_102_444_800).map(\.second)
    }

    @Test func aFailingPrimaryFailsTheWriteAndTheShadowGetsNothing() async throws {
        try await withTemporaryPath { dir in
            try await TestPostgres.withSchema { schema, connection in
                let path = dir + "/btc.db"
                let primary = try SQLiteWriter<PriceTick>(path: path, options: Self.fastFail, clock: fixedClock(conformanceBase), logger: Self.logger)
                let shadow = try PostgresWriter<PriceTick>(configuration: try TestPostgres.configuration(), schema: schema, logger: Self.logger)
                let fanOut = FanOutWriter(primary: primary, shadows: [shadow], retry: Self.retry, logger: Self.logger)
                try await fanOut.write(ticks(from: conformanceBase, count: 10))
                let lock = try SQLiteLock(path)
                await #expect(throws: SQLiteError.self) { try await fanOut.write(ticks(from: conformanceBase + 10, count: 10)) }
                try lock.release()
                try await fanOut.flush()
                #expect(try await Self.postgresSeconds(connection, schema) == Array(conformanceBase..<conformanceBase + 10))
                #expect(try await Self.sqliteSeconds(path) == Array(conformanceBase..<conformanceBase + 10))
                try await fanOut.close()
            }
        }
    }

    @Test func aFailingShadowDoesNotFailTheWriteAndCatchesUp() async throws {
        try await withTemporaryPath { dir in
            try await TestPostgres.withSchema { schema, connection in
                let path = dir + "/btc.db"
                let primary = try PostgresWriter<PriceTick>(configuration: try TestPostgres.configuration(), schema: schema, logger: Self.logger)
                let shadow = try SQLiteWriter<PriceTick>(path: path, options: Self.fastFail, clock: fixedClock(conformanceBase), logger: Self.logger)
                let fanOut = FanOutWriter(primary: primary, shadows: [shadow], retry: Self.retry, logger: Self.logger)
                try await fanOut.write(ticks(from: conformanceBase, count: 5))
                try await fanOut.flush()
                let lock = try SQLiteLock(path)
                for i in 0..<4 {
                    try await fanOut.write(ticks(from: conformanceBase + 5 + Int64(i) * 25, count: 25))
                }
                #expect(try await Self.postgresSeconds(connection, schema).count == 105, "the primary has every batch")
                try await fanOut.flush()  // the shadow is still locked: flush gives up on it without failing
                let stuck = await fanOut.status()
                #expect(stuck.backlog == 100)
                #expect(stuck.shadows.first?.failures ?? 0 > 0)
                #expect(stuck.shadows.first?.lastError?.contains("busy") == true, "\(stuck.shadows.first?.lastError ?? "")")

                try lock.release()
                try await fanOut.flush()
                #expect(await fanOut.status().backlog == 0)
                #expect(try await Self.sqliteSeconds(path) == Array(conformanceBase..<conformanceBase + 105))
                try await fanOut.close()
            }
        }
    }

    @Test func aStoppedPostgresShadowCatchesUpWhenTheServerIsBack() async throws {
        try await withTemporaryPath { dir in
            try await PrivatePostgresCluster.with { cluster in
                let schema = try PostgresIdentifier("user_0001")
                let configuration = PostgresConfiguration(
                    connectionString: cluster.connectionString, applicationName: "recio-fanout-test",
                    reconnect: .init(initialDelay: .milliseconds(20), maxDelay: .milliseconds(200), budget: .seconds(1)))
                let connection = PostgresConnection(configuration: configuration, logger: Self.logger)
                try await SchemaMigrator(schema: schema, logger: Self.logger).migrate(on: connection)
                let path = dir + "/btc.db"
                let primary = try SQLiteWriter<PriceTick>(path: path, clock: fixedClock(conformanceBase), logger: Self.logger)
                let shadow = try PostgresWriter<PriceTick>(configuration: configuration, schema: schema, logger: Self.logger)
                let fanOut = FanOutWriter(primary: primary, shadows: [shadow], retry: Self.retry, flushTimeout: .seconds(30), logger: Self.logger)
                try await fanOut.write(ticks(from: conformanceBase, count: 10))
                try await fanOut.flush()

                try await cluster.stop()
                for i in 0..<5 {
                    try await fanOut.write(ticks(from: conformanceBase + 10 + Int64(i) * 10, count: 10))
                }
                #expect(try await Self.sqliteSeconds(path).count == 60, "the primary keeps recording while the shadow is down")
                try await cluster.start()
                try await fanOut.flush()
                #expect(await fanOut.status().backlog == 0)
                #expect(try await Self.postgresSeconds(connection, schema) == Array(conformanceBase..<conformanceBase + 60))
                try await fanOut.close()
                await connection.close()
            }
        }
    }

    @Test func aShadowBacklogOverItsLimitGivesUpRecordsAndReportsThem() async throws {
        try await withTemporaryPath { dir in
            try await TestPostgres.withSchema { schema, _ in
                let path = dir + "/btc.db"
                let primary = try PostgresWriter<PriceTick>(configuration: try TestPostgres.configuration(), schema: schema, logger: Self.logger)
                let shadow = try SQLiteWriter<PriceTick>(path: path, options: Self.fastFail, clock: fixedClock(conformanceBase), logger: Self.logger)
                let fanOut = FanOutWriter(primary: primary, shadows: [shadow], backlogLimit: 100, retry: Self.retry, logger: Self.logger)
                try await fanOut.write(ticks(from: conformanceBase, count: 1))
                try await fanOut.flush()
                let lock = try SQLiteLock(path)
                for i in 0..<5 {
                    try await fanOut.write(ticks(from: conformanceBase + 1 + Int64(i) * 60, count: 60))
                }
                let status = await fanOut.status()
                #expect(status.abandoned > 0)
                #expect(status.backlog <= 100)
                #expect(status.abandoned + status.backlog == 300)
                try lock.release()
                try await fanOut.flush()
                let stored = try await Self.sqliteSeconds(path)
                #expect(stored.count == 301 - status.abandoned, "exactly the abandoned records are missing from the shadow")
                try await fanOut.close()
            }
        }
    }
}
