import Foundation
import Logging

/// Writes records into their legacy REC.IO v2 SQLite table (`Record.sqlite`), exactly as the legacy
/// Python did: the mapping's own `CREATE TABLE`, `INSERT OR REPLACE`, and the trim after each write.
/// Legacy readers keep working on the file during the dual-write period.
///
/// Each `write` is one `BEGIN IMMEDIATE` transaction: the mapping's rows, one cached prepared insert
/// per row as the mapping computes it, then the trim, then `COMMIT` (with `synchronous=FULL`,
/// durable on return). Any failure — read-only file, disk full, lock held past the busy timeout —
/// rolls the whole batch back and is thrown as `SQLiteError`.
public final class SQLiteWriter<Record: StorableRecord>: Writer {
    /// `sqlite`.
    public let name = "sqlite"
    /// The database file.
    public let path: String
    private let core: WriterCore<Record>
    private let database: SQLiteDatabase
    private let mapping: SQLiteMapping<Record>
    private let clock: @Sendable () -> Date

    /// Prepares a writer for `path`; the file is opened (and the table created) by `open()` or the
    /// first write.
    ///
    /// - Parameter clock: the time the legacy trim counts its 30 days from (injected by tests).
    /// - Throws: `StorageError(.unsupportedRecord)` when `Record` has no SQLite mapping.
    public init(
        path: String,
        options: SQLiteConnection.Options = .init(),
        clock: @escaping @Sendable () -> Date = Date.init,
        logger: Logger = Logger(label: "recio.storage.sqlite")
    ) throws {
        guard let mapping = Record.sqlite else {
            throw StorageError(.unsupportedRecord, subject: "sqlite:\(path)",
                               "\(Record.dataset) has no legacy SQLite layout; remove \"sqlite\" from this service's writers")
        }
        let createSQL = mapping.createSQL
        self.path = path
        self.mapping = mapping
        self.clock = clock
        self.core = WriterCore(name: "sqlite", logger: logger)
        self.database = SQLiteDatabase(path: path, options: options) { connection in
            // Exactly the legacy statement: the legacy readers see the schema they created themselves.
            try connection.execute(createSQL)
        }
    }

    /// Opens the file and creates the table now, so a bad path fails at start-up.
    public func open() async throws {
        try await database.open()
    }

    public func write(_ batch: [Record]) async throws {
        let mapping = self.mapping
        let clock = self.clock
        try await core.write(batch) { rows in
            try await database.write { connection in
                // Each row is bound and stepped as the mapping computes it: no list of the batch's
                // rows is built (100,000 arrays of values per batch cost more than the inserts' binding).
                let insert = try connection.cachedStatement(mapping.insertSQL)
                try mapping.forEachRow(rows, connection) { row in
                    try insert.execute(row)
                }
                if let trim = mapping.trim {
                    try connection.execute(trim.sql, [trim.parameter(clock())])
                }
            }
        }
    }

    /// Every write has committed already, so nothing is pending; this only checkpoints the WAL
    /// (PASSIVE) to keep it short.
    public func flush() async throws {
        try await database.checkpoint()
    }

    /// Checkpoints and closes the file. Idempotent; later writes throw `StorageError(.closed)`.
    public func close() async throws {
        guard core.markClosed() else { return }
        let checkpoint: Result<Void, any Error>
        do { checkpoint = .success(try await database.checkpoint()) } catch { checkpoint = .failure(error) }
        await database.close()
        try checkpoint.get()
    }

    public func status() async -> WriterStatus { core.status }
}
