import Foundation
import Logging

/// Puts a durable `Spool` in front of any `Writer`, so a store that is down, restarting, failing
/// over or too slow never makes the daemon stop recording, and nothing acknowledged is lost.
///
/// - A batch is written through to the store. When the store fails with a transient error
///   (`StoreFailure.isTransient`; for a shadow: anything but a rejected record), or does not answer
///   within `slowWriteTimeout`, the batch is appended to the spool and fsync'd instead, and the
///   write succeeds: acknowledged as `spooled` rather than `stored` (both logged at debug level with
///   the batch's keys, and counted).
/// - While the spool holds anything, new batches go to the spool too, so the store receives every
///   batch in the order it was accepted. A background task replays the spool in order (merging
///   frames up to `mergeLimit` records, retrying with backoff), and once it is empty, writes go
///   straight to the store again. Replays are idempotent through the store's natural keys, so a
///   batch replayed twice (a crash between replay and truncation, a slow write that finished after
///   all) is stored once.
/// - A spool at its size limit refuses the batch: a primary's write then fails (the daemon keeps it
///   in memory and retries), a shadow's batch is given up (counted as abandoned, logged as an
///   error). Either way the health check fails (`SpoolMonitor`).
/// - A record the store rejects for what it is (validation, constraint) fails the write and is
///   never spooled.
public actor SpoolingWriter<Record: StorableRecord>: Writer {
    /// Which side of a fan-out this writer is.
    public enum Role: String, Sendable {
        /// Its success acknowledges a batch; only transient failures are spooled.
        case primary
        /// Its backlog must not fail the primary; every failure but a rejected record is spooled.
        case shadow
    }

    public nonisolated let name: String
    private let writer: any Writer<Record>
    private let spool: Spool
    private let codec: SpoolCodec<Record>
    private let role: Role
    private let slowWriteTimeout: Duration
    private let flushTimeout: Duration
    private let retry: RetryPolicy
    private let core: WriterCore<Record>
    private let gate = AsyncGate()

    /// Whether batches currently go to the spool (it holds a backlog); `nil` until the spool is opened.
    private var spooling: Bool?
    /// A write that exceeded `slowWriteTimeout` and is still running; replay waits for it first.
    private var inFlight: Task<Void, any Error>?
    private var drainTask: Task<Void, Never>?
    private var storedRecords = 0
    private var spooledRecords = 0
    private var replayedRecords = 0
    private var abandonedRecords = 0
    private var lastError: String?
    /// The store failed or was too slow, and no replay has succeeded since: `flush` and `close`
    /// do not wait for a replay that cannot happen (the backlog is safe on disk).
    private var storeFailing = false

    /// Largest batch handed to the store when replaying (spooled frames are merged up to this).
    public static var mergeLimit: Int { 50_000 }

    /// - Parameters:
    ///   - writer: the store.
    ///   - spool: the spool for this writer and dataset (its own folder).
    ///   - slowWriteTimeout: how long a write may take before its batch is spooled instead.
    ///   - flushTimeout: how long `flush`/`close` give the replay before leaving the rest on disk.
    /// - Throws: `StorageError(.unsupportedRecord)` when `Record` has no stable byte form.
    public init(writer: any Writer<Record>, spool: Spool, role: Role, slowWriteTimeout: Duration = .seconds(5),
                flushTimeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy(), logger: Logger) throws {
        guard let codec = SpoolCodec<Record>.forRecord else {
            throw StorageError(.unsupportedRecord, subject: Record.dataset, "\(Record.dataset) has no stable byte form to spool")
        }
        self.name = writer.name
        self.writer = writer
        self.spool = spool
        self.codec = codec
        self.role = role
        self.slowWriteTimeout = slowWriteTimeout
        self.flushTimeout = flushTimeout
        self.retry = retry
        var logger = logger
        logger[metadataKey: "spool.role"] = .string(role.rawValue)
        self.core = WriterCore(name: writer.name, logger: logger)
    }

    public func write(_ batch: [Record]) async throws {
        let rows = try batch.validatedAndDeduplicated()
        guard !rows.isEmpty else { return }
        guard !core.isClosed else {
            throw StorageError(.closed, subject: "\(name) writer (\(Record.dataset))", "write after close")
        }
        try await gate.withLock { try await self.writeHoldingGate(rows) }
    }

    /// Replays the spool for up to `flushTimeout`, then flushes the store. Whatever is still spooled
    /// then stays on disk and is replayed by the next process: it is durable, so this is not an error.
    public func flush() async throws {
        if spooling == true {
            startDrain()
            if !storeFailing, let drainTask {
                let waiting = Task<Void, any Error> { await drainTask.value }
                _ = await awaitResult(of: waiting, atMost: flushTimeout)
            }
            let left = await spool.recordCount
            if left > 0 {
                core.logger.notice("records stay in the spool for the next start (the store is not back)",
                                   metadata: ["spool.records": "\(left)"])
            }
        }
        try await writer.flush()
    }

    public func close() async throws {
        guard core.markClosed() else { return }
        try? await flush()
        drainTask?.cancel()
        if !storeFailing, let drainTask {
            let waiting = Task<Void, any Error> { await drainTask.value }
            _ = await awaitResult(of: waiting, atMost: .seconds(5))
        }
        drainTask = nil
        await spool.close()
        let writer = self.writer
        let closing = Task<Void, any Error> { try await writer.close() }
        if case .finished(.failure(let error)) = await awaitResult(of: closing, atMost: flushTimeout) { throw error }
    }

    public func status() async -> WriterStatus {
        var s = await writer.status()
        s.backlog += await spool.recordCount
        s.abandoned += abandonedRecords
        s.lastError = s.lastError ?? lastError
        return s
    }

    /// Records acknowledged as stored in the store, as spooled, replayed from the spool, and given up.
    public var counts: (stored: Int, spooled: Int, replayed: Int, abandoned: Int) {
        (storedRecords, spooledRecords, replayedRecords, abandonedRecords)
    }

    // MARK: - Writing

    private func writeHoldingGate(_ rows: [Record]) async throws {
        if spooling == nil {
            do {
                spooling = !(try await spool.isEmpty())
            } catch {
                // Without a usable spool this is a plain writer; say so once.
                spooling = false
                core.logger.error("spool unusable; writing without one", metadata: ["error": "\(error)"])
            }
            if spooling == true { startDrain() }
        }
        if spooling == false {
            let writer = self.writer
            let task = Task<Void, any Error> { try await writer.write(rows) }
            switch await awaitResult(of: task, atMost: slowWriteTimeout) {
            case .finished(.success):
                storedRecords += rows.count
                acknowledge(rows, as: "stored")
                return
            case .finished(.failure(let error)):
                guard shouldSpool(error) else { throw error }
                storeFailing = true
                lastError = String(describing: error)
                core.logger.warning("store failed; spooling batches until it is back", metadata: ["error": "\(error)"])
            case .timedOut:
                storeFailing = true
                inFlight = task
                lastError = "write slower than \(slowWriteTimeout)"
                core.logger.warning("store slower than the write timeout; spooling batches until it keeps up",
                                    metadata: ["timeout": "\(slowWriteTimeout)"])
            }
        }
        do {
            try await spool.append(try codec.encode(rows), records: rows.count)
        } catch let error as SpoolError where role == .shadow {
            abandonedRecords += rows.count
            core.logger.error("shadow batch given up: the spool cannot take it; a parity run will list the rows",
                              metadata: ["error": "\(error)", "abandoned": "\(abandonedRecords)"])
            return
        }
        spooledRecords += rows.count
        acknowledge(rows, as: "spooled")
        spooling = true
        startDrain()
    }

    private func shouldSpool(_ error: any Error) -> Bool {
        switch role {
        case .primary: return StoreFailure.isTransient(error)
        case .shadow: return !StoreFailure.isPermanentForShadow(error)
        }
    }

    private func acknowledge(_ rows: [Record], as how: String) {
        core.logger.debug("batch acknowledged", metadata: [
            "ack": .string(how), "ack.records": "\(rows.count)", "ack.keys": .string(KeyRuns.describe(rows.map(\.naturalKey))),
        ])
    }

    // MARK: - Replay

    private func startDrain() {
        guard drainTask == nil, !core.isClosed || spooling == true else { return }
        // Started on demand, ended when the spool is empty or by `close()`.
        drainTask = Task { await self.drainLoop() }
    }

    private func drainLoop() async {
        var failures = 0
        while !Task.isCancelled {
            if let task = inFlight {
                _ = await task.result
                inFlight = nil
                if Task.isCancelled { break }
            }
            let chunk: [(payload: [UInt8], records: Int)]
            do {
                chunk = try await spool.peek(maxRecords: Self.mergeLimit)
            } catch let error as SpoolError where error.code == .closed {
                break
            } catch {
                core.logger.error("spool unreadable; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: retry.delay(attempt: failures))
                failures += 1
                continue
            }
            if chunk.isEmpty {
                if await gate.withLock({ await self.switchToDirectIfEmpty() }) { break }
                continue
            }
            var rows: [Record] = []
            var undecodable = 0
            for frame in chunk {
                do { rows.append(contentsOf: try codec.decode(frame.payload)) } catch {
                    undecodable += frame.records
                    core.logger.error("a spooled batch cannot be decoded and is given up", metadata: ["error": "\(error)", "records": "\(frame.records)"])
                }
            }
            do {
                if !rows.isEmpty { try await writer.write(rows) }
                try await spool.consume(frames: chunk.count)
                replayedRecords += rows.count
                abandonedRecords += undecodable
                if failures > 0 {
                    core.logger.notice("store back; replaying the spool", metadata: ["replayed": "\(rows.count)", "after_failures": "\(failures)"])
                }
                failures = 0
                storeFailing = false
            } catch {
                storeFailing = true
                lastError = String(describing: error)
                if failures == 0 || failures.isMultiple(of: 20) {
                    let waiting = await spool.recordCount
                    core.logger.warning("spool replay failed; keeping the backlog and retrying",
                                        metadata: ["error": "\(error)", "spool.records": "\(waiting)"])
                }
                try? await Task.sleep(for: retry.delay(attempt: failures))
                failures += 1
            }
        }
        drainTask = nil
    }

    /// Holding the gate (no write can slip in between): back to writing straight to the store when
    /// the spool is empty.
    private func switchToDirectIfEmpty() async -> Bool {
        guard (try? await spool.isEmpty()) == true else { return false }
        if spooling == true {
            spooling = false
            core.logger.notice("spool replayed; writing straight to the store again", metadata: ["replayed": "\(replayedRecords)"])
        }
        return true
    }
}
