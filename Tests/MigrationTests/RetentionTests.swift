import Foundation
import Migration
import StorageKit
import Testing

/// Monthly partition retention on a real PostgreSQL schema with three years of partitions.
@Suite("retention", .timeLimit(.minutes(3)))
struct RetentionTests {
    /// 2026-11-25 12:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_795_608_000)

    /// Partitions for the 36 months before `now`'s month and that month, one row in each.
    static func seed(_ schema: PostgresIdentifier, _ pg: PostgresConnection) async throws -> [PartitionMonth] {
        let current = PartitionMonth(epochSeconds: Int64(now.timeIntervalSince1970))
        var months = [current]
        for _ in 0..<36 { months.insert(months[0].previous, at: 0) }
        try await pg.ensureMonthlyPartitions(schema: schema, table: "price_history", months: months)
        for month in months {
            try await pg.execute("INSERT INTO \(schema.quoted).price_history (ts, price, source) VALUES (to_timestamp($1::bigint), 100.00, 'test')",
                                 [String(month.startEpochSeconds + 3600)])
        }
        return months
    }

    static func partitions(_ schema: PostgresIdentifier, _ pg: PostgresConnection) async throws -> [String] {
        try await pg.existingPartitions(schema: schema, table: try PostgresIdentifier("price_history"))
    }

    @Test func keepsExactlyTheLastTwoYearsPlusTheCurrentMonth() async throws {
        try await TestPostgres.withSchema { schema, pg in
            let months = try await Self.seed(schema, pg)
            var options = PartitionRetention.Options(schema: schema)
            options.now = Self.now
            options.dryRun = true
            let dry = try await PartitionRetention(options: options, logger: quietLogger()).run(on: pg)
            #expect(dry.removed.map(\.month) == months.prefix(12).map(\.description))
            #expect(dry.removed.allSatisfy { $0.rows == 1 })
            #expect(dry.rendered.contains("would drop"))
            #expect(try await Self.partitions(schema, pg).count == 37, "a dry run changes nothing")

            options.dryRun = false
            let applied = try await PartitionRetention(options: options, logger: quietLogger()).run(on: pg)
            #expect(applied.applied && applied.oldestKept == "2024-11" && applied.currentMonth == "2026-11")
            let kept = months.suffix(25).map { $0.partitionName(of: "price_history") }
            let ahead = months.last!.throughNext(3).dropFirst().map { $0.partitionName(of: "price_history") }
            #expect(try await Self.partitions(schema, pg) == kept + ahead)
            #expect(try await pg.query("SELECT count(*) FROM \(schema.quoted).price_history").scalar == "25")
            // Idempotent: nothing left to do.
            let again = try await PartitionRetention(options: options, logger: quietLogger()).run(on: pg)
            #expect(again.removed.isEmpty && !again.partitions.contains { $0.action == "create" })
        }
    }

    @Test func detachKeepsTheTablesOutsideTheParent() async throws {
        try await TestPostgres.withSchema { schema, pg in
            _ = try await Self.seed(schema, pg)
            var options = PartitionRetention.Options(schema: schema)
            options.now = Self.now
            options.dryRun = false
            options.detach = true
            let plan = try await PartitionRetention(options: options, logger: quietLogger()).run(on: pg)
            #expect(plan.removed.count == 12 && plan.removed.allSatisfy { $0.action == "detach" })
            #expect(try await Self.partitions(schema, pg).count == 28)
            let oldest = plan.removed[0].name
            #expect(try await pg.query("SELECT count(*) FROM \(schema.quoted).\(try PostgresIdentifier(oldest).quoted)").scalar == "1")
        }
    }

    @Test func refusesLessThanTwoYearsOfPriceHistory() async throws {
        try await TestPostgres.withSchema { schema, pg in
            _ = try await Self.seed(schema, pg)
            var options = PartitionRetention.Options(schema: schema)
            options.now = Self.now
            options.dryRun = false
            options.keepMonths = 23
            await #expect(throws: MigrationError.self) { try await PartitionRetention(options: options, logger: quietLogger()).run(on: pg) }
            #expect(try await Self.partitions(schema, pg).count == 37)
        }
    }

    @Test func commandLineDryRunListsRowCounts() async throws {
        try await withTemporaryDirectory { dir in
            try await TestPostgres.withSchema { schema, pg in
                _ = try await Self.seed(schema, pg)
                let config = dir.appendingPathComponent("services.json")
                try writeServicesConfig(at: config, schema: schema.name, legacyDir: nil)
                let result = try await ProductProcess.run("recioctl", ["retention", "apply", "--config", config.path, "--dry-run"],
                                                                environment: ["RECIOCTL_NOW": "2026-11-25T12:00:00Z"])
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stdout.contains("price_history_2024_10") && result.stdout.contains("would drop"), "\(result.stdout)")
                #expect(!result.stdout.contains("price_history_2024_11  2024-11"))
                #expect(try await Self.partitions(schema, pg).count == 37)
                let short = try await ProductProcess.run("recioctl", ["retention", "apply", "--config", config.path, "--keep-months", "12", "--yes"])
                #expect(short.status == 2 && short.stderr.contains("at least 24 months"), "\(short.stderr)")
            }
        }
    }
}
