import Logging
import Synchronization

/// Stores batches of any record type that has a PostgreSQL mapping in its table in the per-user
/// schema (`"user_0001"."price_history"`).
///
/// Each `write` is one transaction: it returns only after `COMMIT` succeeded, and a batch is all
/// in or all out. Writes are idempotent through the table's natural key (`ON CONFLICT`), so a
/// batch retried after a lost connection — or written twice — is stored once. Bulk batches go
/// through `COPY`. Missing monthly partitions are created before writing. On a connection loss
/// the batch is retried on a new connection with the configured backoff; when the retry budget
/// runs out `write` throws `StorageError(.unavailable)`.
public final class PostgresWriter<Record: StorableRecord>: Writer {
    /// `postgres`, or the name given at init.
    public let name: String
    private let core: WriterCore<Record>
    private let connection: PostgresConnection
    private let plan: PostgresWritePlan<Record>
    /// Months whose partition is known to exist (created or seen by this writer).
    private let knownPartitions = Mutex<Set<PartitionMonth>>([])

    /// A writer over its own connection. Throws `StorageError(.unsupportedRecord)` when `Record`
    /// has no PostgreSQL mapping. Nothing is opened until the first write.
    public convenience init(
        configuration: PostgresConfiguration,
        schema: PostgresIdentifier = .defaultSchema,
        name: String = "postgres",
        logger: Logger
    ) throws {
        try self.init(connection: PostgresConnection(configuration: configuration, logger: logger),
                      schema: schema, name: name, logger: logger)
    }

    /// A writer over `connection`, which it closes on `close()`.
    public init(connection: PostgresConnection, schema: PostgresIdentifier = .defaultSchema, name: String = "postgres", logger: Logger) throws {
        guard let mapping = Record.postgres else {
            throw StorageError(.unsupportedRecord, subject: Record.dataset, "\(Record.dataset) has no PostgreSQL table; remove `postgres` from its writers")
        }
        self.name = name
        self.connection = connection
        self.plan = try PostgresWritePlan(mapping: mapping, schema: schema)
        self.core = WriterCore(name: name, logger: logger)
    }

    public func write(_ batch: [Record]) async throws {
        try await core.write(batch) { rows in _ = try await persist(rows) }
    }

    /// `write`, returning how many rows the server stored: rows whose key was not there yet (for
    /// `.updateAll` mappings, also rows whose values were replaced). Duplicates within the batch
    /// count once. `recioctl backfill` reports it as "inserted".
    public func writeCountingStored(_ batch: [Record]) async throws -> Int {
        var stored = 0
        try await core.write(batch) { rows in stored = try await persist(rows) }
        return stored
    }

    /// Nothing to do: every `write` has committed before it returned.
    public func flush() async throws {}

    public func close() async throws {
        guard core.markClosed() else { return }
        await connection.close()
    }

    public func status() async -> WriterStatus { core.status }

    private func persist(_ records: [Record]) async throws -> Int {
        let plan = self.plan
        var months: Set<PartitionMonth> = []
        if let partition = plan.mapping.monthlyPartition {
            // Months are found once per run of records in the same month, not once per record.
            var current: (month: PartitionMonth, range: Range<Int64>)?
            for record in records {
                let second = partition.epochSeconds(record)
                if let current, current.range.contains(second) { continue }
                let month = PartitionMonth(epochSeconds: second)
                months.insert(month)
                current = (month, month.startEpochSeconds..<month.next.startEpochSeconds)
            }
        }
        let unknown = months.subtracting(knownPartitions.withLock { $0 })
        let stored: Int
        do {
            stored = try await attempt(records, ensuring: unknown)
        } catch let error as PostgresError where error.sqlState == "23514" && !months.isEmpty && unknown != months {
            // "no partition of relation found for row": a cached partition was dropped (retention).
            knownPartitions.withLock { $0.removeAll() }
            core.logger.notice("a cached partition is gone; re-creating", metadata: ["postgres.error": .string(error.description)])
            stored = try await attempt(records, ensuring: months)
        }
        knownPartitions.withLock { $0.formUnion(months) }
        return stored
    }

    private func attempt(_ rows: [Record], ensuring months: Set<PartitionMonth>) async throws -> Int {
        let plan = self.plan
        do {
            return try await connection.withReconnect("write \(Record.dataset)") { conn in
                if !months.isEmpty {
                    try conn.ensureMonthlyPartitions(schema: plan.schema, table: plan.table.name, months: months)
                }
                return try plan.write(rows, on: conn)
            }
        } catch let error as PostgresError where error.isTransient {
            throw StorageError(.unavailable, subject: "postgres \(plan.qualifiedTable)",
                               "the batch was not stored, retries ran out: \(error)")
        }
    }
}
