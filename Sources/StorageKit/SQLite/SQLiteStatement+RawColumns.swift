import CSQLite3

/// Allocation-free column access for bulk scans (parity reads tens of millions of rows; building a
/// `SQLiteValue` and a `String` per column would dominate the run).
extension SQLiteStatement {
    /// The storage class of a result column of the current row.
    public enum ColumnType: Sendable, Equatable {
        case integer, real, text, blob, null
    }

    /// The storage class of result column `index` (0-based) of the current row.
    public func columnType(_ index: Int) -> ColumnType {
        switch sqlite3_column_type(handle, Int32(index)) {
        case SQLITE_INTEGER: return .integer
        case SQLITE_FLOAT: return .real
        case SQLITE_TEXT: return .text
        case SQLITE_BLOB: return .blob
        default: return .null
        }
    }

    /// Result column `index` as a double (SQLite's own conversion; 0 for NULL).
    public func columnDouble(_ index: Int) -> Double {
        sqlite3_column_double(handle, Int32(index))
    }

    /// Calls `body` with the UTF-8 bytes of result column `index`, valid only during the call.
    public func withColumnBytes<T>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let i = Int32(index)
        // sqlite3_column_text first, then _bytes: the documented order for text access.
        let pointer = UnsafeRawPointer(sqlite3_column_text(handle, i))
        let count = Int(sqlite3_column_bytes(handle, i))
        return try body(UnsafeRawBufferPointer(start: count > 0 ? pointer : nil, count: pointer == nil ? 0 : count))
    }
}
