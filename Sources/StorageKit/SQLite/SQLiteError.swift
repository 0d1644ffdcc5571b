import CSQLite3

/// An error reported by libsqlite3, with the native detail an operator needs: the extended result
/// code, SQLite's own message, the database file and the statement (never the bound values, which
/// may be large or private).
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes are new static members.
    ///
    /// Conditions the operator can act on (`busy`, `readOnly`, `full`, `corrupt`, `notADatabase`,
    /// `cantOpen`, `ioError`, `constraint`) take precedence over the operation that hit them
    /// (`openFailed`, `prepareFailed`, `bindFailed`, `stepFailed`), which is used otherwise.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Opening or configuring the connection failed.
        public static let openFailed = Code("open_failed")
        /// A statement could not be compiled (bad SQL, missing table).
        public static let prepareFailed = Code("prepare_failed")
        /// A value could not be bound to a statement.
        public static let bindFailed = Code("bind_failed")
        /// Running a statement failed.
        public static let stepFailed = Code("step_failed")
        /// Another connection held a lock for longer than the busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED`).
        public static let busy = Code("busy")
        /// The file, its folder or the connection is read-only (`SQLITE_READONLY`).
        public static let readOnly = Code("read_only")
        /// The disk (or the file-size limit) is full (`SQLITE_FULL`).
        public static let full = Code("full")
        /// The file is damaged (`SQLITE_CORRUPT`).
        public static let corrupt = Code("corrupt")
        /// The file is not an SQLite database (`SQLITE_NOTADB`).
        public static let notADatabase = Code("not_a_database")
        /// The file or its folder could not be opened (`SQLITE_CANTOPEN`, `SQLITE_PERM`).
        public static let cantOpen = Code("cant_open")
        /// The operating system reported an I/O error (`SQLITE_IOERR`).
        public static let ioError = Code("io_error")
        /// A constraint of the schema rejected a row (`SQLITE_CONSTRAINT`).
        public static let constraint = Code("constraint")
        /// The connection was already closed.
        public static let closed = Code("closed")
    }

    public var code: Code
    /// The extended result code (`sqlite3_extended_errcode`), e.g. 1032 for `SQLITE_READONLY_DBMOVED`.
    public var extendedResultCode: Int32
    /// SQLite's message (`sqlite3_errmsg`).
    public var message: String
    /// The database file.
    public var path: String
    /// The statement that failed, if any. Bound values are never included.
    public var sql: String?

    public init(code: Code, extendedResultCode: Int32, message: String, path: String, sql: String? = nil) {
        self.code = code
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.path = path
        self.sql = sql
    }

    /// Builds an error from a result code, classifying it; `operation` is the code used when the
    /// result code names no condition of its own.
    public init(resultCode: Int32, operation: Code, message: String, path: String, sql: String? = nil) {
        self.init(code: Self.classify(resultCode, operation: operation), extendedResultCode: resultCode,
                  message: message, path: path, sql: sql)
    }

    /// The condition a (possibly extended) result code names, or `operation` when it names none.
    public static func classify(_ resultCode: Int32, operation: Code) -> Code {
        switch resultCode & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_READONLY: return .readOnly
        case SQLITE_FULL: return .full
        case SQLITE_CORRUPT: return .corrupt
        case SQLITE_NOTADB: return .notADatabase
        case SQLITE_CANTOPEN, SQLITE_PERM: return .cantOpen
        case SQLITE_IOERR: return .ioError
        case SQLITE_CONSTRAINT: return .constraint
        default: return operation
        }
    }

    /// What the operator should do about it.
    public var hint: String {
        switch code {
        case .busy: return "the database is locked by another process for longer than the busy timeout; find the process holding a long transaction or raise the busy timeout"
        case .readOnly: return "the file is read-only; check the owner and permissions of the file and of its folder (SQLite needs to create the -wal and -shm files next to it)"
        case .full: return "disk full; free space on the file system holding the file"
        case .corrupt: return "the database file is corrupt; move it aside and restore it from a backup"
        case .notADatabase: return "the file is not an SQLite database; check the configured path"
        case .cantOpen: return "the file cannot be opened; check that its folder exists and that this user may read (and write) it"
        case .ioError: return "the operating system reported an I/O error; check the disk and the kernel log"
        case .constraint: return "a row violates a constraint of the table"
        case .closed: return "the connection was closed; this is a bug in the caller"
        case .prepareFailed: return "the statement could not be compiled; the file may not have the expected schema"
        default: return "see SQLite's message"
        }
    }

    public var description: String {
        var text = "SQLite \(code) on \(path): \(hint). sqlite3 said: \(message) (extended result code \(extendedResultCode))"
        if let sql { text += ". SQL: \(sql)" }
        return text
    }
}
