/// Rows of several record types that must become durable together or not at all: e.g. a page of
/// fills and the checkpoint saying that page is stored, or a whole positions snapshot that
/// replaces the previous one. `PostgresAtomicWriter.commit` writes the steps in order in one
/// transaction, each through its record type's PostgreSQL mapping (the same idempotent
/// `ON CONFLICT`/COPY strategies as `PostgresWriter`), so no writer needs to know the types.
public struct PostgresAtomicBatch: Sendable {
    typealias Step = @Sendable (isolated PostgresConnection, PostgresIdentifier) throws -> Void
    private(set) var steps: [Step] = []
    /// Records added so far (after de-duplication).
    public private(set) var recordCount = 0
    /// Datasets touched, in order (for logs and errors).
    public private(set) var datasets: [String] = []

    public init() {}

    /// Whether nothing was added.
    public var isEmpty: Bool { steps.isEmpty }

    /// Adds records, stored idempotently by their natural key. Validates them now: an invalid
    /// record throws `StorageError(.invalidRecord)` and nothing of the batch is written.
    public mutating func upsert<R: StorableRecord>(_ records: [R]) throws {
        for record in records { try record.validate() }
        try upsert(validated: records)
    }

    /// `upsert` for records the caller has already validated one by one (the ingest skips an
    /// invalid object and keeps the rest of its page): de-duplicated, not validated again.
    public mutating func upsert<R: StorableRecord>(validated records: [R]) throws {
        let mapping = try Self.mapping(R.self)
        let rows = records.deduplicated()
        guard !rows.isEmpty else { return }
        recordCount += rows.count
        datasets.append(R.dataset)
        steps.append { conn, schema in
            let plan = try PostgresWritePlan(mapping: mapping, schema: schema)
            try plan.writeInTransaction(rows, on: conn)
        }
    }

    /// Replaces every row of `R`'s table by `records` (a snapshot). Readers see the old snapshot
    /// until the transaction commits and the new one after, never an empty table: `DELETE`, not
    /// `TRUNCATE`, so MVCC keeps the old rows visible and readers are not blocked.
    public mutating func replaceAll<R: StorableRecord>(with records: [R]) throws {
        let mapping = try Self.mapping(R.self)
        let rows = try records.validatedAndDeduplicated()
        recordCount += rows.count
        datasets.append(R.dataset)
        steps.append { conn, schema in
            let plan = try PostgresWritePlan(mapping: mapping, schema: schema)
            try conn.execute(plan.deleteAllSQL)
            try plan.writeInTransaction(rows, on: conn)
        }
    }

    private static func mapping<R: StorableRecord>(_ type: R.Type) throws -> PostgresMapping<R> {
        guard let mapping = R.postgres else {
            throw StorageError(.unsupportedRecord, subject: R.dataset, "\(R.dataset) has no PostgreSQL table")
        }
        return mapping
    }
}
