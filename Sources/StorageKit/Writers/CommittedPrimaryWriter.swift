import Foundation
import Logging

/// The primary of a `FanOutWriter` whose batches the caller has already stored itself, in its own
/// transaction (the historical ingest commits each page's rows together with its checkpoint in
/// PostgreSQL). Handing such a batch to `write` only records it, so the fan-out feeds its shadows
/// with the shadows' usual backlog, retries and logging, and PostgreSQL never waits on them.
public final class CommittedPrimaryWriter<Record: StorableRecord>: Writer {
    /// The store the caller wrote (`postgres`).
    public let name: String
    private let core: WriterCore<Record>

    public init(name: String, logger: Logger) {
        self.name = name
        self.core = WriterCore(name: name, logger: logger)
    }

    /// Records that `batch` is stored (validated and de-duplicated as any write).
    public func write(_ batch: [Record]) async throws {
        try await core.write(batch) { _ in }
    }

    public func flush() async throws {}

    public func close() async throws { _ = core.markClosed() }

    public func status() async -> WriterStatus { core.status }
}
