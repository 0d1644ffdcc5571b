import Foundation
import Migration
import StorageKit
import Testing

/// `recioctl schema check`: a freshly migrated schema has no drift; each kind of hand-made drift is
/// reported exactly once with both definitions; versions are compared with the binary's.
@Suite(.timeLimit(.minutes(2))) struct SchemaCheckTests {
    @Test func freshlyMigratedSchemaWithPartitionsHasNoDrift() async throws {
        try await TestPostgres.withSchema(.migrated) { schema, connection in
            for table in StorageSchema.monthlyPartitionedTables {
                try await connection.ensureMonthlyPartitions(schema: schema, table: table, ahead: 2)
            }
            let report = try await SchemaCheck(schema: schema, logger: quietLogger()).run(on: connection)
            #expect(report.differences == [], "\(report.rendered())")
            #expect(report.ok)
            #expect(report.appliedVersions == StorageSchema.migrations.map(\.version))
            #expect(report.pendingVersions.isEmpty && report.unknownVersions.isEmpty)
            #expect(report.partitions["price_history"] == 3)
            #expect(report.rendered().contains("schema check: OK"))
        }
    }

    @Test func alteredTypeDroppedIndexAndStrayColumnAreEachReported() async throws {
        try await TestPostgres.withSchema(.migrated) { schema, connection in
            try await connection.ensureMonthlyPartitions(schema: schema, table: "market_snapshots", ahead: 1)
            try await connection.execute("ALTER TABLE \(schema.quoted).price_changes ALTER COLUMN change_1h TYPE double precision")
            try await connection.execute("DROP INDEX \(schema.quoted).market_snapshots_event_ts")
            try await connection.execute("ALTER TABLE \(schema.quoted).heartbeats ADD COLUMN stray text")
            let report = try await SchemaCheck(schema: schema, logger: quietLogger()).run(on: connection)
            #expect(report.differences == [
                SchemaDifference(.extra, "column heartbeats.stray", expected: nil, actual: "text NULL"),
                SchemaDifference(.missing, "index market_snapshots.market_snapshots_event_ts",
                                 expected: "USING btree (event_ticker, ts)", actual: nil),
                SchemaDifference(.different, "column price_changes.change_1h",
                                 expected: "numeric NOT NULL", actual: "double precision NOT NULL"),
            ], "\(report.rendered())")
            #expect(!report.ok)
            let text = report.rendered()
            #expect(text.contains("column price_changes.change_1h") && text.contains("double precision NOT NULL"))
            #expect(text.contains("schema check: DRIFT (3 differences)"))
        }
    }

    @Test func missingTableChangedPartitioningAndConstraintAreReported() async throws {
        try await TestPostgres.withSchema(.migrated) { schema, connection in
            try await connection.execute("DROP TABLE \(schema.quoted).price_changes")
            try await connection.execute("DROP TABLE \(schema.quoted).live_analysis")
            try await connection.execute("CREATE TABLE \(schema.quoted).live_analysis (ts timestamptz NOT NULL)")
            try await connection.execute("ALTER TABLE \(schema.quoted).heartbeats DROP CONSTRAINT heartbeats_pkey")
            try await connection.execute("CREATE TABLE \(schema.quoted).leftover (id integer)")
            let report = try await SchemaCheck(schema: schema, logger: quietLogger()).run(on: connection)
            let byObject = Dictionary(report.differences.map { ($0.object, $0) }) { a, _ in a }
            #expect(byObject["table price_changes"]?.kind == .missing)
            #expect(byObject["table leftover"]?.kind == .extra)
            #expect(byObject["partitioning live_analysis"] == SchemaDifference(
                .different, "partitioning live_analysis", expected: "partitioned by RANGE (ts)", actual: "plain table"))
            #expect(byObject["constraint heartbeats.heartbeats_pkey"] == SchemaDifference(
                .missing, "constraint heartbeats.heartbeats_pkey", expected: "PRIMARY KEY (service, ts)", actual: nil))
            #expect(byObject["column live_analysis.price"]?.kind == .missing)
        }
    }

    @Test func versionsPendingAndNewerAreReported() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            try await connection.execute("DROP SCHEMA \(schema.quoted)")
            let older = Array(StorageSchema.migrations.dropLast())
            try await SchemaMigrator(schema: schema, migrations: older, logger: quietLogger()).migrate(on: connection)
            // A binary that knows one more migration than the database has: pending, and its tables missing.
            let pending = try await SchemaCheck(schema: schema, logger: quietLogger()).run(on: connection)
            #expect(pending.pendingVersions == [StorageSchema.migrations.last!.version])
            #expect(!pending.ok)
            #expect(pending.rendered().contains("pending"))
            // A binary older than the database: the extra version is reported as newer.
            let fewer = Array(older.dropLast())
            let newer = try await SchemaCheck(schema: schema, migrations: fewer, logger: quietLogger()).run(on: connection)
            #expect(newer.unknownVersions == [older.last!.version])
            #expect(newer.rendered().contains("NEWER than this binary"))
        }
    }

    @Test func recioctlSchemaCheckPrintsJSONAndExitsOneOnDrift() async throws {
        try await TestPostgres.withSchema(.migrated) { schema, connection in
            try await withTemporaryDirectory { dir in
                let config = try SecurityConfig(directory: dir, schema: schema.name).write()
                let clean = try RecioCtlProcess.run(["schema", "check", "--config", config.path])
                #expect(clean.status == 0, "\(clean.output)")
                #expect(clean.output.contains("no structural drift"))
                try await connection.execute("ALTER TABLE \(schema.quoted).heartbeats ADD COLUMN stray integer")
                let drift = try RecioCtlProcess.run(["schema", "check", "--config", config.path, "--json"])
                #expect(drift.status == 1, "\(drift.output)")
                let json = try JSONSerialization.jsonObject(with: Data(drift.stdout.utf8)) as? [String: Any]
                let differences = json?["differences"] as? [[String: Any]]
                #expect(differences?.count == 1)
                #expect(differences?.first?["object"] as? String == "column heartbeats.stray")
                #expect(differences?.first?["actual"] as? String == "integer NULL")
            }
        }
    }
}
