/// A stored row a reader could not turn into a record (a corrupt or impossible legacy row). Readers
/// report these instead of failing, so a backfill can load everything else and a parity run can
/// list exactly what was skipped.
public struct SQLiteRejectedRow: Sendable, Equatable, CustomStringConvertible {
    /// The raw column values, in the reader's select order.
    public var values: SQLiteRowValues
    /// Why the row was rejected (`timestamp is a spring-forward time that never occurred`).
    public var reason: String

    public init(values: SQLiteRowValues, reason: String) {
        self.values = values
        self.reason = reason
    }

    public var description: String { "\(reason): \(values)" }
}

/// Records read from an SQLite table and the rows that could not be decoded.
public struct SQLiteReadResult<Record: Sendable>: Sendable {
    public var records: [Record]
    public var rejected: [SQLiteRejectedRow]

    public init(records: [Record], rejected: [SQLiteRejectedRow]) {
        self.records = records
        self.rejected = rejected
    }
}
