import Foundation

extension PostgresConnection {
    /// Makes sure `schema.table` (range-partitioned by month on a `timestamptz`) has a partition
    /// for each of `months`, creating the missing ones (`table_YYYY_MM`) in one short transaction
    /// under an advisory lock, so concurrent writers never race. Returns the names it created.
    /// Must not be called inside `transaction`.
    @discardableResult
    public func ensureMonthlyPartitions(
        schema: PostgresIdentifier,
        table: String,
        months: some Sequence<PartitionMonth>
    ) throws -> [String] {
        let parent = try PostgresIdentifier(table)
        let wanted = Set(months)
        guard !wanted.isEmpty else { return [] }
        let existing = Set(try existingPartitions(schema: schema, table: parent))
        let missing = wanted.filter { !existing.contains($0.partitionName(of: parent.name)) }.sorted()
        guard !missing.isEmpty else { return [] }
        // Validate every name before touching the database.
        let names = try missing.map { try PostgresIdentifier($0.partitionName(of: parent.name)) }
        try transaction { conn in
            try conn.execute("SELECT pg_advisory_xact_lock($1::bigint)",
                             [PostgresIdentifier.advisoryLockKey("partitions", schema.name, parent.name)])
            for (month, name) in zip(missing, names) {
                // DDL takes no parameters; the bounds are formatted from two integers only.
                let from = UTCTime.postgresText(epochSeconds: month.startEpochSeconds)
                let to = UTCTime.postgresText(epochSeconds: month.next.startEpochSeconds)
                try conn.executeScript("""
                    CREATE TABLE IF NOT EXISTS \(schema.quoted).\(name.quoted) PARTITION OF \(schema.quoted).\(parent.quoted) \
                    FOR VALUES FROM ('\(from)') TO ('\(to)')
                    """)
            }
        }
        return names.map(\.name)
    }

    /// The start-up form: the month of `now` and the `ahead` months after it.
    @discardableResult
    public func ensureMonthlyPartitions(
        schema: PostgresIdentifier,
        table: String,
        now: Date = Date(),
        ahead: Int = 3
    ) throws -> [String] {
        let current = PartitionMonth(epochSeconds: Int64(now.timeIntervalSince1970.rounded(.down)))
        return try ensureMonthlyPartitions(schema: schema, table: table, months: current.throughNext(ahead))
    }

    /// The names of the partitions attached to `schema.table`, ascending.
    public func existingPartitions(schema: PostgresIdentifier, table: PostgresIdentifier) throws -> [String] {
        try query("""
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace
            WHERE n.nspname = $1 AND p.relname = $2
            ORDER BY c.relname
            """, [schema.name, table.name]).rows.compactMap { $0.first ?? nil }
    }
}
