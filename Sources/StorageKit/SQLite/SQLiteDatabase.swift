import CSQLite3

/// One SQLite file behind an actor whose executor is a `BlockingExecutor`: every sqlite call runs on
/// that serial queue's thread, never on Swift's cooperative pool, and the connection is never
/// touched by two threads at once.
///
/// The connection opens on first use (or `open()`), and again after a failure that means the file
/// itself is unusable (read-only, missing, not a database, I/O error), so a writer recovers once the
/// operator fixes the file.
public actor SQLiteDatabase {
    /// The database file.
    public nonisolated let path: String
    public nonisolated let options: SQLiteConnection.Options
    private let executor: BlockingExecutor
    private let onOpen: (@Sendable (SQLiteConnection) throws -> Void)?
    private var connection: SQLiteConnection?
    private var closed = false

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// - Parameter onOpen: runs on each new connection (e.g. `CREATE TABLE IF NOT EXISTS`); if it
    ///   throws, the connection is dropped and the error reported.
    public init(path: String, options: SQLiteConnection.Options = .init(),
                onOpen: (@Sendable (SQLiteConnection) throws -> Void)? = nil) {
        self.path = path
        self.options = options
        self.onOpen = onOpen
        self.executor = BlockingExecutor(label: "recio.sqlite")
    }

    /// Opens the connection now (so a bad path or file fails at start-up, not at the first write).
    public func open() throws {
        _ = try connect()
    }

    /// Runs `body` on the connection, outside any explicit transaction.
    public func read<T: Sendable>(_ body: @Sendable (SQLiteConnection) throws -> T) throws -> T {
        let connection = try connect()
        do {
            return try body(connection)
        } catch {
            dropIfUnusable(error)
            throw error
        }
    }

    /// Runs `body` inside one `BEGIN IMMEDIATE ... COMMIT` transaction; any error rolls it back.
    public func write<T: Sendable>(_ body: @Sendable (SQLiteConnection) throws -> T) throws -> T {
        let connection = try connect()
        do {
            return try connection.transaction { try body(connection) }
        } catch {
            dropIfUnusable(error)
            throw error
        }
    }

    /// Checkpoints the WAL (PASSIVE) if a connection is open.
    public func checkpoint() throws {
        try connection?.checkpoint()
    }

    /// Closes the connection; later calls throw `.closed`. Idempotent.
    public func close() {
        closed = true
        connection?.close()
        connection = nil
    }

    private func connect() throws -> SQLiteConnection {
        if let connection { return connection }
        guard !closed else {
            throw SQLiteError(code: .closed, extendedResultCode: SQLITE_MISUSE, message: "database closed", path: path)
        }
        let connection = try SQLiteConnection(path: path, options: options)
        try onOpen?(connection)
        self.connection = connection
        return connection
    }

    private func dropIfUnusable(_ error: any Error) {
        guard let error = error as? SQLiteError else { return }
        switch error.code {
        case .readOnly, .cantOpen, .notADatabase, .corrupt, .ioError:
            connection?.close()
            connection = nil
        default:
            break
        }
    }
}
