/// How a record type maps onto one PostgreSQL table. The table itself is created by the versioned
/// migrations in `Schema/`; this mapping only names it and encodes/decodes rows.
///
/// Values travel as PostgreSQL text representations (the same bytes for COPY text format and for
/// text-format parameters), so exact decimals stay exact: `"64123.45"`, never a `Double`.
public struct PostgresMapping<Record: Sendable>: Sendable {
    /// Unqualified table name; writers qualify it with the configured user schema.
    public var table: String
    /// Column names, in the order `encode` produces values.
    public var columns: [String]
    /// The natural key columns (`ON CONFLICT (...)`).
    public var conflictColumns: [String]
    /// What a row whose key already exists does.
    public var onConflict: ConflictAction
    /// Monthly range partitioning, when the table is partitioned: the writer makes sure the
    /// partition for each record's month exists before writing it.
    public var monthlyPartition: MonthlyPartition?
    /// Text representation of each column (`nil` is SQL NULL).
    public var encode: @Sendable (Record) -> [String?]
    /// Rebuilds a record from the text representation of `columns` (for readers and parity).
    public var decode: @Sendable ([String?]) throws -> Record
    /// Optional fast path for bulk writes: writes the same values as `encode`, field by field,
    /// straight into the COPY buffer (no per-row arrays or strings). `nil`: COPY encodes `encode`'s values.
    public var encodeCopy: (@Sendable (Record, inout PostgresCopyEncoder) throws -> Void)?
    /// The COPY format `encodeCopy` rows travel in. `.binary` spares the server parsing every
    /// timestamp and decimal; choose it only when `encodeCopy` writes each column with the typed
    /// writer of its SQL type (see `PostgresCopyEncoder`). Without `encodeCopy`, always text.
    public var copyFormat: PostgresCopyEncoder.Format

    public enum ConflictAction: Sendable, Equatable {
        /// Keep the stored row (facts that never change: a tick, a fill).
        case doNothing
        /// Replace the non-key columns with the new values (facts that may be corrected).
        case updateAll
    }

    /// Describes the partition key of a monthly range-partitioned table.
    public struct MonthlyPartition: Sendable {
        /// The partition key column (a `timestamptz`).
        public var column: String
        /// The record's partition key as UTC epoch seconds.
        public var epochSeconds: @Sendable (Record) -> Int64
        public init(column: String, epochSeconds: @escaping @Sendable (Record) -> Int64) {
            self.column = column
            self.epochSeconds = epochSeconds
        }
    }

    public init(
        table: String,
        columns: [String],
        conflictColumns: [String],
        onConflict: ConflictAction = .doNothing,
        monthlyPartition: MonthlyPartition? = nil,
        encode: @escaping @Sendable (Record) -> [String?],
        decode: @escaping @Sendable ([String?]) throws -> Record,
        encodeCopy: (@Sendable (Record, inout PostgresCopyEncoder) throws -> Void)? = nil,
        copyFormat: PostgresCopyEncoder.Format = .text
    ) {
        self.table = table
        self.columns = columns
        self.conflictColumns = conflictColumns
        self.onConflict = onConflict
        self.monthlyPartition = monthlyPartition
        self.encode = encode
        self.decode = decode
        self.encodeCopy = encodeCopy
        self.copyFormat = encodeCopy == nil ? .text : copyFormat
    }

    /// Appends `record` as one COPY row in `copyFormat`: through `encodeCopy` when the mapping has one, else `encode`'s values.
    func appendCopyRow(_ record: Record, to encoder: inout PostgresCopyEncoder) throws {
        if let encodeCopy {
            try encodeCopy(record, &encoder)
            encoder.endRow()
        } else {
            try encoder.append(encode(record))
        }
    }
}
