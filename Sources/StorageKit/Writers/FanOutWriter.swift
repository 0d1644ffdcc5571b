import Foundation
import Logging

/// Writes to one primary and zero or more shadows: the dual-write of the migration.
///
/// A write succeeds exactly when the primary stored the batch durably. Each shadow then gets the
/// batch through its own bounded backlog and background drain, so a shadow that fails, is slow or
/// is down never fails or delays the primary; its failures are logged and counted, and it catches
/// up when it recovers. What a shadow finally could not take is reported in the journal and in
/// `status()` (`abandoned`), and a parity run shows the rows.
public final class FanOutWriter<Record: StorableRecord>: Writer {
    public let name: String
    private let primary: any Writer<Record>
    private let lanes: [ShadowLane<Record>]
    private let core: WriterCore<Record>
    private let flushTimeout: Duration

    /// - Parameters:
    ///   - backlogLimit: records each shadow may hold before giving up the oldest.
    ///   - flushTimeout: how long `flush`/`close` wait for shadows to catch up.
    public init(primary: any Writer<Record>, shadows: [any Writer<Record>], backlogLimit: Int = 500_000,
                retry: RetryPolicy = RetryPolicy(), flushTimeout: Duration = .seconds(10), logger: Logger) {
        self.primary = primary
        self.name = ([primary] + shadows).map(\.name).joined(separator: "+")
        self.core = WriterCore(name: name, logger: logger)
        self.lanes = shadows.map { ShadowLane(writer: $0, limit: backlogLimit, retry: retry, logger: logger) }
        self.flushTimeout = flushTimeout
    }

    public func write(_ batch: [Record]) async throws {
        try await core.write(batch) { rows in
            try await primary.write(rows)
            for lane in lanes { await lane.enqueue(rows) }
        }
    }

    /// Flushes the primary, then gives the shadows up to `flushTimeout` to drain their backlogs
    /// (a shadow that is still down keeps its backlog; that is not an error of the flush).
    public func flush() async throws {
        try await primary.flush()
        let deadline = ContinuousClock.now + flushTimeout
        for lane in lanes {
            if await lane.drainNow(until: deadline) == 0 {
                try? await lane.writer.flush()
            }
        }
    }

    public func close() async throws {
        guard core.markClosed() else { return }
        var firstError: Error?
        do { try await flush() } catch { firstError = error }
        for lane in lanes {
            _ = await lane.close()
            do { try await lane.writer.close() } catch { core.logger.warning("shadow close failed", metadata: ["error": "\(error)"]) }
        }
        do { try await primary.close() } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }

    public func status() async -> WriterStatus {
        var s = core.status
        let p = await primary.status()
        s.lastError = p.lastError ?? s.lastError
        s.shadows = []
        for lane in lanes { s.shadows.append(await lane.status()) }
        s.backlog = s.shadows.reduce(0) { $0 + $1.backlog }
        s.abandoned = s.shadows.reduce(0) { $0 + $1.abandoned }
        return s
    }
}
