import Logging
import Synchronization

/// A writer whose underlying writer can be replaced while the daemon runs: a SIGHUP after a config
/// flip (`recioctl cutover`) swaps e.g. `sqlite+postgres` for `postgres+sqlite` without a restart.
///
/// Writes and swaps take the same gate, so a batch in flight finishes on the old writer before
/// the swap, and every later batch goes to the new one: nothing is lost or written twice. The old
/// writer is flushed (its shadows get their bounded time to catch up) and closed.
public final class SwappableWriter<Record: StorableRecord>: Writer {
    private let gate = AsyncGate()
    private let current: Mutex<any Writer<Record>>
    private let logger: Logger

    public init(_ writer: any Writer<Record>, logger: Logger) {
        self.current = Mutex(writer)
        self.logger = logger
    }

    /// The current writer's name.
    public var name: String { current.withLock { $0.name } }

    /// The writer batches go to now.
    public var writer: any Writer<Record> { current.withLock { $0 } }

    public func write(_ batch: [Record]) async throws {
        try await gate.withLock { try await self.writer.write(batch) }
    }

    public func flush() async throws {
        try await gate.withLock { try await self.writer.flush() }
    }

    public func close() async throws {
        try await gate.withLock { try await self.writer.close() }
    }

    public func status() async -> WriterStatus { await writer.status() }

    /// Replaces the underlying writer. The old one is flushed and closed after the last batch in
    /// flight on it has finished; a failure to close it is logged, not thrown (the new writer is
    /// already in place and taking writes).
    public func swap(to newWriter: any Writer<Record>) async {
        await gate.withLock {
            let old = self.current.withLock { current in
                let old = current
                current = newWriter
                return old
            }
            self.logger.notice("writer swapped", metadata: ["from": "\(old.name)", "to": "\(newWriter.name)", "dataset": "\(Record.dataset)"])
            do {
                try await old.close()
            } catch {
                self.logger.error("closing the previous writer failed", metadata: ["writer": "\(old.name)", "error": "\(error)"])
            }
        }
    }
}
