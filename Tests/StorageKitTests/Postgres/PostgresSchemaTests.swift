import Foundation
import Testing
@testable import StorageKit

@Suite struct PostgresSchemaTests {
    @Test func migrationIsIdempotent() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            try await connection.execute("DROP SCHEMA \(schema.quoted)")
            let migrator = SchemaMigrator(schema: schema, logger: TestPostgres.logger)
            #expect(try await migrator.appliedVersions(on: connection) == [])
            let all = StorageSchema.migrations.map(\.version)
            #expect(try await migrator.migrate(on: connection) == all)
            #expect(try await migrator.migrate(on: connection) == [])
            #expect(try await migrator.appliedVersions(on: connection) == all)
            let tables = try await connection.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", [schema.name])
            let names = Set(tables.rows.compactMap { $0.first ?? nil })
            #expect(names.isSuperset(of: ["heartbeats", "price_history", "live_analysis", "schema_migrations", "market_snapshots", "price_changes"]), "\(names)")
            let kind = try await connection.query(
                "SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'price_history'",
                [schema.name])
            #expect(kind.scalar == "p")
        }
    }

    @Test func concurrentMigratorsApplyEachVersionOnce() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            try await connection.execute("DROP SCHEMA \(schema.quoted)")
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let own = try TestPostgres.connection()
                        let versions = try await SchemaMigrator(schema: schema, logger: TestPostgres.logger).migrate(on: own)
                        await own.close()
                        return versions
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == StorageSchema.migrations.map(\.version))
            let rows = try await connection.query("SELECT version, name FROM \(schema.quoted).schema_migrations ORDER BY version")
            #expect(rows.rows.map { $0[0] } == StorageSchema.migrations.map { String($0.version) })
        }
    }

    @Test func refusesASchemaNewerThanTheBinary() async throws {
        try await TestPostgres.withSchema { schema, connection in
            try await connection.execute("INSERT INTO \(schema.quoted).schema_migrations (version, name) VALUES (99, 'from the future')")
            let error = await #expect(throws: StorageError.self) {
                try await SchemaMigrator(schema: schema, logger: TestPostgres.logger).migrate(on: connection)
            }
            #expect(error?.code == .schemaTooNew)
            #expect(error?.message.contains("99") == true)
            #expect(error?.description.contains(schema.name) == true)
        }
    }

    @Test func laterMigrationsApplyInOrder() async throws {
        try await TestPostgres.withSchema { schema, connection in
            let next = StorageSchema.migrations.map(\.version).max()! + 1
            let extra = StorageSchema.migrations + [
                Migration(version: next, name: "add note", sql: "CREATE TABLE {schema}.note (id integer PRIMARY KEY)"),
            ]
            let applied = try await SchemaMigrator(schema: schema, migrations: extra, logger: TestPostgres.logger).migrate(on: connection)
            #expect(applied == [next])
            let exists = try await connection.query("SELECT to_regclass($1) IS NOT NULL", ["\(schema.quoted).note"])
            #expect(exists.scalar == "t")
            // A binary that does not know the new version now refuses.
            await #expect(throws: StorageError.self) {
                try await SchemaMigrator(schema: schema, logger: TestPostgres.logger).migrate(on: connection)
            }
        }
    }

    @Test func monthlyPartitionsAreCreatedOnceAndNoDefaultExists() async throws {
        try await TestPostgres.withSchema { schema, connection in
            let now = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
            let created = try await connection.ensureMonthlyPartitions(schema: schema, table: "price_history", now: now, ahead: 3)
            #expect(created == ["price_history_2026_12", "price_history_2027_01", "price_history_2027_02", "price_history_2027_03"])
            #expect(try await connection.ensureMonthlyPartitions(schema: schema, table: "price_history", now: now, ahead: 3) == [])
            let existing = try await connection.existingPartitions(schema: schema, table: PostgresIdentifier("price_history"))
            #expect(existing == created)
            // Bounds are whole UTC months.
            try await connection.execute("INSERT INTO \(schema.quoted).price_history VALUES ($1, 1.00, 't'), ($2, 2.00, 't')",
                                         ["2026-12-31 23:59:59+00", "2027-01-01 00:00:00+00"])
            let placed = try await connection.query(
                "SELECT tableoid::regclass::text FROM \(schema.quoted).price_history ORDER BY ts")
            #expect(placed.rows == [["\(schema.name).price_history_2026_12"], ["\(schema.name).price_history_2027_01"]])
            // No default partition: a month without a partition is refused.
            let error = await #expect(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO \(schema.quoted).price_history VALUES ($1, 1.00, 't')", ["2030-01-01 00:00:00+00"])
            }
            #expect(error?.sqlState == "23514")
        }
    }

    @Test func concurrentPartitionCreationDoesNotRace() async throws {
        try await TestPostgres.withSchema { schema, _ in
            let months = PartitionMonth(epochSeconds: 1_780_000_000).throughNext(5)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let own = try TestPostgres.connection()
                        try await own.ensureMonthlyPartitions(schema: schema, table: "price_history", months: months)
                        await own.close()
                    }
                }
                try await group.waitForAll()
            }
            let check = try TestPostgres.connection()
            #expect(try await check.existingPartitions(schema: schema, table: PostgresIdentifier("price_history")).count == 6)
            await check.close()
        }
    }

    @Test func partitionMonthArithmetic() throws {
        let december = try #require(PartitionMonth(year: 2026, month: 12))
        #expect(december.next == PartitionMonth(year: 2027, month: 1))
        #expect(december.partitionName(of: "price_history") == "price_history_2026_12")
        #expect(PartitionMonth(epochSeconds: december.next.startEpochSeconds - 1) == december)
        #expect(PartitionMonth(year: 2026, month: 13) == nil)
    }
}
