import Foundation
import Logging
import StorageKit

/// `recioctl retention apply`: keeps the monthly partitions of the last `keepMonths` months plus
/// the current one, creates `ahead` months ahead, and drops (or detaches) only partitions lying
/// entirely before the keep window — whole partitions, never a row-by-row DELETE. Price history
/// may not be kept for less than 24 months (the migration plan's minimum).
public struct PartitionRetention: Sendable {
    public struct Options: Sendable {
        public var schema: PostgresIdentifier
        /// Partitioned tables to manage (`price_history`, and optionally `market_snapshots`, `live_analysis`).
        public var tables: [String] = ["price_history"]
        public var keepMonths = 24
        public var ahead = 3
        /// Detach instead of dropping (the table stays, outside the parent, for an archive).
        public var detach = false
        public var dryRun = true
        public var now: Date = Date()

        public init(schema: PostgresIdentifier) { self.schema = schema }
    }

    /// The shortest keep window for price history, in months.
    public static let minimumPriceHistoryMonths = 24

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run(on connection: PostgresConnection) async throws -> RetentionPlan {
        for table in options.tables {
            guard StorageSchema.monthlyPartitionedTables.contains(table) else {
                throw MigrationError(.invalidArgument, subject: "--table \(table)",
                    "not a monthly partitioned table (known: \(StorageSchema.monthlyPartitionedTables.joined(separator: ", ")))")
            }
            let minimum = table == "price_history" ? Self.minimumPriceHistoryMonths : 1
            guard options.keepMonths >= minimum else {
                throw MigrationError(.invalidArgument, subject: "--keep-months \(options.keepMonths)",
                    "\(table) must be kept for at least \(minimum) months\(table == "price_history" ? " (the 2-year minimum for price history)" : "")")
            }
        }
        guard options.ahead >= 3 else {
            throw MigrationError(.invalidArgument, subject: "--ahead \(options.ahead)", "create at least 3 months ahead")
        }
        let current = PartitionMonth(epochSeconds: Int64(options.now.timeIntervalSince1970.rounded(.down)))
        var oldest = current
        for _ in 0..<options.keepMonths { oldest = oldest.previous }
        let ahead = current.throughNext(options.ahead)
        var partitions: [RetentionPlan.Partition] = []
        for table in options.tables {
            let parent = try PostgresIdentifier(table)
            let existing = try await connection.existingPartitions(schema: options.schema, table: parent)
            var existingMonths: Set<PartitionMonth> = []
            for name in existing {
                guard let month = Self.month(of: name, table: table) else {
                    logger.warning("partition name not of the form TABLE_YYYY_MM; left alone", metadata: ["partition": "\(name)"])
                    continue
                }
                existingMonths.insert(month)
                if month < oldest {
                    let rows = try await connection.query(
                        "SELECT count(*) FROM \(options.schema.quoted).\(try PostgresIdentifier(name).quoted)").scalar.flatMap { Int($0) }
                    partitions.append(.init(table: table, name: name, month: month.description, rows: rows, action: options.detach ? "detach" : "drop"))
                } else {
                    partitions.append(.init(table: table, name: name, month: month.description, rows: nil, action: "keep"))
                }
            }
            for month in ahead where !existingMonths.contains(month) {
                partitions.append(.init(table: table, name: month.partitionName(of: table), month: month.description, rows: 0, action: "create"))
            }
        }
        var plan = RetentionPlan(oldestKept: oldest.description, currentMonth: current.description, partitions: partitions, applied: false)
        guard !options.dryRun else { return plan }
        for table in options.tables {
            try await connection.ensureMonthlyPartitions(schema: options.schema, table: table, months: ahead)
        }
        for p in plan.removed {
            let parent = try PostgresIdentifier(p.table), child = try PostgresIdentifier(p.name)
            let sql = options.detach
                ? "ALTER TABLE \(options.schema.quoted).\(parent.quoted) DETACH PARTITION \(options.schema.quoted).\(child.quoted)"
                : "DROP TABLE \(options.schema.quoted).\(child.quoted)"
            try await connection.execute(sql)
            logger.notice("retention: partition \(p.action == "drop" ? "dropped" : "detached")", metadata: ["partition": "\(p.name)", "rows": "\(p.rows ?? 0)"])
        }
        plan.applied = true
        return plan
    }

    /// The month of `table_YYYY_MM`.
    static func month(of name: String, table: String) -> PartitionMonth? {
        guard name.hasPrefix(table + "_") else { return nil }
        let parts = name.dropFirst(table.count + 1).split(separator: "_")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        return PartitionMonth(year: y, month: m)
    }
}
