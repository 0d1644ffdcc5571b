import Foundation

/// Something that durably stores batches of one record type: a PostgreSQL table, a legacy SQLite
/// file, JSON files, or a fan-out over several of those. Daemons only ever talk to a `Writer`;
/// `services.json` decides which one it is.
///
/// Contract, checked by the writer conformance suite for every implementation:
/// - `write` returns only once the batch is durable in the store (or, for a fan-out, in its
///   primary); it is atomic: all of the batch or, when it throws, none of it.
/// - The whole batch is validated first: one invalid record fails the call and nothing is written.
/// - Writing the same records again stores nothing twice (natural keys).
/// - An empty batch is a no-op. After `close`, `write` throws `StorageError(.closed)`.
public protocol Writer<Record>: Sendable {
    associatedtype Record: StorableRecord

    /// Short name for logs and `STATUS=` (`postgres`, `sqlite`, `json`, `sqlite+postgres`).
    var name: String { get }

    /// Stores one batch durably and atomically.
    func write(_ batch: [Record]) async throws

    /// Makes everything accepted so far durable (a fan-out also drains its shadows' backlogs, bounded in time).
    func flush() async throws

    /// Flushes, then releases connections and files. Idempotent.
    func close() async throws

    /// Counters and backlog for `STATUS=`, the journal and `recioctl status`.
    func status() async -> WriterStatus
}

/// A writer's counters at one moment.
public struct WriterStatus: Sendable, Equatable {
    public var name: String
    /// Records stored (after de-duplication within batches).
    public var recordsWritten: Int = 0
    public var batchesWritten: Int = 0
    /// Batches that failed (and were reported to the caller, or kept in a backlog).
    public var failures: Int = 0
    /// Records waiting in a backlog (fan-out shadows; a spool).
    public var backlog: Int = 0
    /// Records a backlog had to give up on (reported, so a parity run can find them).
    public var abandoned: Int = 0
    public var lastWrite: Date?
    public var lastError: String?
    /// Per-shadow status for a fan-out.
    public var shadows: [WriterStatus] = []

    public init(name: String) { self.name = name }
}
