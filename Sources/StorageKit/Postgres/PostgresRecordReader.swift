/// Reads back the rows of one record type's PostgreSQL table between two UTC seconds, decoded
/// through its mapping. For readers, parity checks and the migration tool.
public struct PostgresRecordReader<Record: StorableRecord>: Sendable {
    /// The connection queries run on (retried on connection loss).
    public let connection: PostgresConnection
    private let mapping: PostgresMapping<Record>
    private let selectRange: String
    private let selectLatest: String

    /// `timeColumn` is the `timestamptz` column the range applies to; by default the mapping's
    /// partition column. Throws `StorageError(.unsupportedRecord)` when there is no mapping or no
    /// time column.
    public init(connection: PostgresConnection, schema: PostgresIdentifier = .defaultSchema, timeColumn: String? = nil) throws {
        guard let mapping = Record.postgres else {
            throw StorageError(.unsupportedRecord, subject: Record.dataset, "\(Record.dataset) has no PostgreSQL table")
        }
        guard let time = timeColumn ?? mapping.monthlyPartition?.column else {
            throw StorageError(.unsupportedRecord, subject: Record.dataset, "no time column to read \(Record.dataset) by")
        }
        let table = PostgresIdentifier.qualified(schema, try PostgresIdentifier(mapping.table))
        let timeId = try PostgresIdentifier(time).quoted
        let columns = try mapping.columns.map { try PostgresIdentifier($0).quoted }.joined(separator: ", ")
        let keys = try mapping.conflictColumns.map { try PostgresIdentifier($0).quoted }
        self.connection = connection
        self.mapping = mapping
        let order = ([timeId] + keys.filter { $0 != timeId }).joined(separator: ", ")
        let descending = ([timeId] + keys.filter { $0 != timeId }).map { "\($0) DESC" }.joined(separator: ", ")
        selectRange = "SELECT \(columns) FROM \(table) WHERE \(timeId) >= $1::timestamptz AND \(timeId) < $2::timestamptz ORDER BY \(order)"
        selectLatest = "SELECT \(columns) FROM \(table) ORDER BY \(descending) LIMIT 1"
    }

    /// Records with `from <= time < to` (UTC epoch seconds), ascending by time then key.
    public func records(from: Int64, to: Int64) async throws -> [Record] {
        let sql = selectRange
        let rows = try await connection.withReconnect("read \(Record.dataset)") { conn in
            try conn.query(sql, [UTCTime.postgresText(epochSeconds: from), UTCTime.postgresText(epochSeconds: to)])
        }
        return try rows.rows.map(mapping.decode)
    }

    /// The record with the greatest time, if any.
    public func latest() async throws -> Record? {
        let sql = selectLatest
        let rows = try await connection.withReconnect("read latest \(Record.dataset)") { conn in
            try conn.query(sql)
        }
        return try rows.rows.first.map(mapping.decode)
    }
}
