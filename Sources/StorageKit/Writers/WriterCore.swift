import Foundation
import Logging
import Synchronization

/// The behaviour every store writer shares, kept in one place: the closed flag, validation and
/// de-duplication of a batch, counters, and logging of failures. A concrete writer implements
/// only `StoreBackend.persist(_:)`; `write` here wraps it.
///
/// It is a `final class` whose mutable state lives in a `Mutex`, so it is `Sendable` as is.
public final class WriterCore<Record: StorableRecord>: Sendable {
    public let name: String
    public let logger: Logger
    private let state: Mutex<WriterStatus>
    private let closedFlag = Mutex(false)

    public init(name: String, logger: Logger) {
        self.name = name
        var logger = logger
        logger[metadataKey: "writer"] = .string(name)
        logger[metadataKey: "dataset"] = .string(Record.dataset)
        self.logger = logger
        self.state = Mutex(WriterStatus(name: name))
    }

    /// Validates and de-duplicates `batch`, calls `persist` with the result (skipping empty ones),
    /// and records the outcome.
    public func write(_ batch: [Record], persist: ([Record]) async throws -> Void) async throws {
        guard !isClosed else {
            throw StorageError(.closed, subject: "\(name) writer (\(Record.dataset))", "write after close")
        }
        let rows = try batch.validatedAndDeduplicated()
        guard !rows.isEmpty else { return }
        do {
            try await persist(rows)
        } catch {
            state.withLock {
                $0.failures += 1
                $0.lastError = String(describing: error)
            }
            throw error
        }
        state.withLock {
            $0.recordsWritten += rows.count
            $0.batchesWritten += 1
            $0.lastWrite = Date()
        }
    }

    /// Marks the writer closed; returns `false` if it already was (so `close` runs once).
    public func markClosed() -> Bool {
        closedFlag.withLock { closed in
            defer { closed = true }
            return !closed
        }
    }

    public var isClosed: Bool { closedFlag.withLock { $0 } }

    /// Updates the status (backlog figures and the like).
    public func update(_ body: (inout WriterStatus) -> Void) {
        state.withLock { body(&$0) }
    }

    public var status: WriterStatus { state.withLock { $0 } }
}
