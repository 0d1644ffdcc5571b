/// Whether a failed write may succeed later without anyone changing the data: the line between
/// "spool it and replay" and "fail the write" (a batch that can never succeed is never spooled).
public enum StoreFailure {
    /// Connection loss, `57P01`/`57P02`/`57P03`, class `08`, serialization failure (`40001`),
    /// deadlock (`40P01`), a store unavailable after its retries, a full or failing disk, a locked
    /// SQLite file.
    public static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresError:
            return error.isTransient
        case let error as StorageError:
            return error.code == .unavailable || error.code == .io
        case let error as SQLiteError:
            return [.busy, .full, .ioError, .cantOpen, .readOnly].contains(error.code)
        default:
            return false
        }
    }

    /// Failures that no retry can fix: the record itself is rejected, or the writer cannot store
    /// this record type, or is closed. Everything else a shadow keeps in its spool and retries.
    public static func isPermanentForShadow(_ error: any Error) -> Bool {
        if error is CancellationError { return true }
        if let error = error as? StorageError {
            return error.code == .invalidRecord || error.code == .unsupportedRecord || error.code == .closed
        }
        if let error = error as? PostgresError {
            // Class 22 (data exception) and 23 (integrity constraint): the rows themselves are refused.
            return error.sqlState.map { $0.hasPrefix("22") || $0.hasPrefix("23") } ?? false
        }
        if let error = error as? SQLiteError { return error.code == .constraint }
        return false
    }
}
