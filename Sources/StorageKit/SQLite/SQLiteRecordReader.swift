/// Reads every row of a record type's legacy SQLite table through its mapping (`selectSQL`,
/// `decode`), for backfill and parity. The file is opened read-only and never modified.
public final class SQLiteRecordReader<Record: StorableRecord>: Sendable {
    /// The database file.
    public let path: String
    private let database: SQLiteDatabase
    private let mapping: SQLiteMapping<Record>

    /// Opens `path` read-only and checks that it is an intact SQLite database.
    ///
    /// - Throws: `StorageError(.unsupportedRecord)` when `Record` has no SQLite mapping;
    ///   `SQLiteError` (`.cantOpen`, `.notADatabase`, `.corrupt`) when the file is unusable.
    public init(path: String, busyTimeout: Duration = .seconds(5)) async throws {
        guard let mapping = Record.sqlite else {
            throw StorageError(.unsupportedRecord, subject: "sqlite:\(path)", "\(Record.dataset) has no legacy SQLite layout")
        }
        self.path = path
        self.mapping = mapping
        self.database = SQLiteDatabase(path: path, options: .init(busyTimeout: busyTimeout, readOnly: true)) { connection in
            try connection.quickCheck()
        }
        try await database.open()
    }

    /// All rows in the mapping's order: the decodable ones as records, the others (a `nil` decode
    /// or a thrown decode error) as rejected rows with their raw values.
    public func readAll() async throws -> SQLiteReadResult<Record> {
        let mapping = self.mapping
        return try await database.read { connection in
            let statement = try connection.prepare(mapping.selectSQL)
            try statement.bind([])
            var result = SQLiteReadResult<Record>(records: [], rejected: [])
            while try statement.step() {
                let row = statement.row()
                do {
                    if let record = try mapping.decode(row) {
                        result.records.append(record)
                    } else {
                        result.rejected.append(SQLiteRejectedRow(values: row, reason: "not a valid \(Record.dataset) row"))
                    }
                } catch {
                    result.rejected.append(SQLiteRejectedRow(values: row, reason: String(describing: error)))
                }
            }
            return result
        }
    }

    /// Closes the file.
    public func close() async {
        await database.close()
    }
}
