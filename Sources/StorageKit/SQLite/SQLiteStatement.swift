import CSQLite3

/// One prepared statement, the only owner of its `sqlite3_stmt*` (finalized in `deinit`).
///
/// Not `Sendable`: it belongs to the `SQLiteConnection` that prepared it and is used only on that
/// connection's executor.
public final class SQLiteStatement {
    /// The statement text, for error messages.
    public let sql: String
    let handle: OpaquePointer
    // The connection's handle, for error messages only. `sqlite3_close_v2` keeps the connection
    // alive until every statement is finalized, so it is valid for this statement's lifetime.
    private let db: OpaquePointer
    private let path: String
    /// Number of `?` parameters (`sqlite3_bind_parameter_count`).
    private let parameterCount: Int

    init(db: OpaquePointer, path: String, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw SQLiteError(resultCode: sqlite3_extended_errcode(db), operation: .prepareFailed,
                              message: String(cString: sqlite3_errmsg(db)), path: path, sql: sql)
        }
        self.handle = statement
        self.db = db
        self.path = path
        self.sql = sql
        self.parameterCount = Int(sqlite3_bind_parameter_count(statement))
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement, clears old bindings and binds `values` to `?1...?n`.
    public func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(handle)
        // Binding every parameter replaces every old binding: clearing them first (once per row of
        // a bulk insert) would be wasted work.
        if values.count < parameterCount { sqlite3_clear_bindings(handle) }
        for (i, value) in values.enumerated() {
            try bind(value, at: Int32(i + 1))
        }
    }

    /// Binds one value to the 1-based parameter `index`.
    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let s): rc = sqlite3_bind_text(handle, index, s, Int32(s.utf8.count), recio_sqlite_transient())
        }
        guard rc == SQLITE_OK else { throw error(rc, .bindFailed) }
    }

    /// Runs one step: `true` when a row is available, `false` when the statement is done.
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let failure = error(rc, .stepFailed)
            sqlite3_reset(handle)
            throw failure
        }
    }

    /// Makes the statement ready to run again (keeps bindings).
    public func reset() { sqlite3_reset(handle) }

    /// Number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The value of result column `index` (0-based) of the current row. BLOBs are read as text
    /// (UTF-8, invalid bytes replaced): no legacy table stores BLOBs, and a corrupt row should
    /// still be reportable.
    public func column(_ index: Int) -> SQLiteValue {
        let i = Int32(index)
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_NULL: return .null
        default:
            let count = Int(sqlite3_column_bytes(handle, i))
            guard let bytes = sqlite3_column_blob(handle, i), count > 0 else { return .text("") }
            let buffer = UnsafeRawBufferPointer(start: bytes, count: count)
            return .text(String(decoding: buffer, as: UTF8.self))
        }
    }

    /// All columns of the current row.
    public func row() -> SQLiteRowValues {
        (0..<columnCount).map(column)
    }

    /// Binds `values` and runs the statement to completion, discarding rows.
    public func execute(_ values: [SQLiteValue] = []) throws {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Binds `values` and returns every row.
    public func query(_ values: [SQLiteValue] = []) throws -> [SQLiteRowValues] {
        try bind(values)
        defer { sqlite3_reset(handle) }
        var rows: [SQLiteRowValues] = []
        while try step() { rows.append(row()) }
        return rows
    }

    private func error(_ rc: Int32, _ operation: SQLiteError.Code) -> SQLiteError {
        // After a failed step the connection's extended code is the precise one.
        let extended = sqlite3_extended_errcode(db)
        let code = (extended & 0xff) == (rc & 0xff) ? extended : rc
        return SQLiteError(resultCode: code, operation: operation, message: String(cString: sqlite3_errmsg(db)),
                           path: path, sql: sql)
    }
}
