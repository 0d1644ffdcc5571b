import CSQLite3
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to an SQLite file, the only owner of its `sqlite3*` (closed in `deinit` with
/// `sqlite3_close_v2`). It is opened in WAL mode with a busy timeout and `synchronous=FULL`, so a
/// committed transaction survives a power loss.
///
/// Not `Sendable`: a connection lives inside one `SQLiteDatabase` actor and is used only on that
/// actor's `BlockingExecutor` thread (it is opened with `SQLITE_OPEN_NOMUTEX` for that reason).
public final class SQLiteConnection: SQLiteRowContext {
    /// How to open a file.
    public struct Options: Sendable, Equatable {
        /// How long a statement waits for another connection's lock before failing with `.busy`.
        public var busyTimeout: Duration = .seconds(5)
        /// Opens with `SQLITE_OPEN_READONLY` (readers). The file must exist and is never modified.
        public var readOnly: Bool = false
        /// Creates the file when it does not exist (ignored for read-only connections).
        public var create: Bool = true
        /// Most statements kept prepared by `cachedStatement(_:)`.
        public var statementCacheSize: Int = 64

        public init(busyTimeout: Duration = .seconds(5), readOnly: Bool = false, create: Bool = true, statementCacheSize: Int = 64) {
            self.busyTimeout = busyTimeout
            self.readOnly = readOnly
            self.create = create
            self.statementCacheSize = statementCacheSize
        }
    }

    /// The database file.
    public let path: String
    public let options: Options
    private var handle: OpaquePointer?
    private var cache: [String: SQLiteStatement] = [:]

    /// Opens `path` and checks that it is an SQLite database. Read-write connections switch the
    /// file to WAL and `synchronous=FULL`; a write-protected file fails here with `.readOnly`
    /// rather than at the first write.
    public init(path: String, options: Options = .init()) throws {
        _ = Self.processSetUp
        self.path = path
        self.options = options
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if options.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if options.create { flags |= SQLITE_OPEN_CREATE }
        }
        if !options.readOnly, options.create {
            try Self.createPrivately(path)
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            let code = db.map { sqlite3_extended_errcode($0) } ?? rc
            sqlite3_close_v2(db)
            throw SQLiteError(resultCode: code, operation: .openFailed, message: message, path: path)
        }
        self.handle = db
        sqlite3_extended_result_codes(db, 1)
        let ms = options.busyTimeout.components.seconds * 1000 + options.busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(db, Int32(clamping: ms))

        // Reading the schema is the first access to the file: a non-database or a damaged header
        // fails here (SQLITE_NOTADB / SQLITE_CORRUPT), not at some later query.
        _ = try query("PRAGMA schema_version", [])
        if !options.readOnly {
            if sqlite3_db_readonly(db, "main") == 1 {
                throw SQLiteError(code: .readOnly, extendedResultCode: SQLITE_READONLY,
                                  message: "the file could only be opened read-only", path: path)
            }
            let mode = try query("PRAGMA journal_mode=WAL", []).first?.first?.text
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: .openFailed, extendedResultCode: SQLITE_ERROR,
                                  message: "could not switch to WAL (journal_mode is \(mode ?? "unknown"))", path: path)
            }
            try execute("PRAGMA synchronous=FULL")
        }
    }

    deinit { close() }

    /// Done once, before this process's first connection initializes SQLite: memory statistics
    /// off (each allocation took a global mutex for them; a bulk insert makes several per row).
    /// A process that initialized SQLite some other way first keeps them (SQLITE_MISUSE, ignored).
    private static let processSetUp: Void = {
        _ = recio_sqlite_disable_memory_statistics()
    }()

    /// The mode of a database file this code creates: owner read-write, group read (legacy readers
    /// run in the group), nobody else. SQLite gives its `-wal` and `-shm` files the database
    /// file's mode, so they follow.
    public static let createdFileMode: mode_t = 0o640

    /// Creates `path` empty with `createdFileMode` when it does not exist, whatever the umask
    /// (SQLite itself would create it 0644 minus the umask). An existing file is left alone.
    private static func createPrivately(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, createdFileMode)
        // EEXIST: an existing file keeps its mode. Any other failure (missing folder, permissions)
        // is left for sqlite3_open_v2 to report in its own words.
        guard fd >= 0 else { return }
        #if canImport(Glibc)
        defer { _ = Glibc.close(fd) }
        #else
        defer { _ = Darwin.close(fd) }
        #endif
        guard fchmod(fd, createdFileMode) == 0 else {
            throw SQLiteError(code: .openFailed, extendedResultCode: SQLITE_CANTOPEN,
                              message: "could not set mode 0640 on the new database file (errno \(errno))", path: path)
        }
    }

    /// Finalizes the cached statements and closes the handle. Idempotent.
    public func close() {
        cache.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
            self.handle = nil
        }
    }

    /// Whether `close()` has run.
    public var isClosed: Bool { handle == nil }

    /// Prepares `sql` (one statement) without caching it.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(db: try openHandle(sql), path: path, sql: sql)
    }

    /// A prepared statement for `sql`, reused across calls: writers run the same insert for every
    /// row, and compiling it once is most of the speed of a bulk write.
    public func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        if let statement = cache[sql] { return statement }
        let statement = try prepare(sql)
        if cache.count >= options.statementCacheSize { cache.removeAll(keepingCapacity: true) }
        cache[sql] = statement
        return statement
    }

    /// Runs one statement with bound parameters, discarding any rows.
    public func execute(_ sql: String, _ parameters: [SQLiteValue] = []) throws {
        try cachedStatement(sql).execute(parameters)
    }

    /// Runs one statement with bound parameters and returns all rows.
    public func query(_ sql: String, _ parameters: [SQLiteValue]) throws -> [SQLiteRowValues] {
        try cachedStatement(sql).query(parameters)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { handle.map { Int(sqlite3_changes64($0)) } ?? 0 }

    /// Whether a transaction is open.
    public var inTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Runs `body` inside `BEGIN IMMEDIATE ... COMMIT` (the write lock is taken up front, so a busy
    /// database fails at `BEGIN`, before any work). Any error thrown by `body` or by `COMMIT` rolls
    /// the whole transaction back and is rethrown: nothing is left half-written.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if inTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// `PRAGMA wal_checkpoint(PASSIVE)`: copies committed WAL frames into the main file without
    /// waiting for readers.
    public func checkpoint() throws {
        _ = try query("PRAGMA wal_checkpoint(PASSIVE)", [])
    }

    /// `PRAGMA quick_check`: throws `.corrupt` when SQLite finds damage.
    public func quickCheck() throws {
        let rows = try query("PRAGMA quick_check", [])
        let findings = rows.compactMap { $0.first?.text }
        guard findings == ["ok"] else {
            throw SQLiteError(code: .corrupt, extendedResultCode: SQLITE_CORRUPT,
                              message: "quick_check: " + findings.prefix(5).joined(separator: "; "), path: path)
        }
    }

    private func openHandle(_ sql: String) throws -> OpaquePointer {
        guard let handle else {
            throw SQLiteError(code: .closed, extendedResultCode: SQLITE_MISUSE, message: "connection closed", path: path, sql: sql)
        }
        return handle
    }
}
