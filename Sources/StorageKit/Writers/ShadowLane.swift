import Foundation
import Logging

/// One shadow of a `FanOutWriter`: a bounded backlog of batches the primary already has, drained
/// into the shadow writer in order by a background task. A failing or slow shadow only grows its
/// own backlog; when the backlog exceeds its limit the oldest batches are given up (counted and
/// logged as an error, so the operator knows a parity run will show them).
actor ShadowLane<Record: StorableRecord> {
    let writer: any Writer<Record>
    private let limit: Int
    private let retry: RetryPolicy
    private let logger: Logger
    private var backlog: [[Record]] = []
    private var backlogCount = 0
    private var abandoned = 0
    private var failures = 0
    private var consecutiveFailures = 0
    private var lastError: String?
    private var drainTask: Task<Void, Never>?
    private var closed = false
    /// Records of the batch being written right now (counted in `backlogCount`, not in `backlog`).
    private var inFlight = 0
    /// One attempt at a time: the background drain and a `flush` must not both take batches, or
    /// one would find the queue empty while the other's batch is still in flight.
    private let gate = AsyncGate()

    /// Largest batch handed to the shadow when catching up (backlog batches are merged up to this).
    static var mergeLimit: Int { 50_000 }

    init(writer: any Writer<Record>, limit: Int, retry: RetryPolicy, logger: Logger) {
        self.writer = writer
        self.limit = limit
        self.retry = retry
        var logger = logger
        logger[metadataKey: "shadow"] = .string(writer.name)
        self.logger = logger
    }

    /// Queues a batch the primary has stored, and makes sure a drain is running.
    func enqueue(_ rows: [Record]) {
        guard !closed else { return }
        backlog.append(rows)
        backlogCount += rows.count
        trimToLimit()
        if drainTask == nil {
            // Started on demand (not from init) and ended by `close()`; it only lives while there is a backlog.
            drainTask = Task { await self.drainLoop() }
        }
    }

    /// Tries to write the whole backlog now, ignoring backoff, until `deadline`. Returns what is left.
    func drainNow(until deadline: ContinuousClock.Instant) async -> Int {
        while backlogCount > 0, ContinuousClock.now < deadline {
            guard await attemptOne() else { break }
        }
        return backlogCount
    }

    /// Stops draining. Whatever is still queued is reported as not written.
    func close() async -> Int {
        closed = true
        drainTask?.cancel()
        drainTask = nil
        let left = backlogCount
        if left > 0 {
            logger.error("shadow closed with records it could not take; a parity run will list them",
                         metadata: ["backlog": "\(left)", "abandoned": "\(abandoned)", "last_error": "\(lastError ?? "-")"])
        }
        return left
    }

    func status() async -> WriterStatus {
        var s = await writer.status()
        // Added to the shadow's own figures: a spooling shadow has a backlog of its own on disk.
        s.backlog += backlogCount
        s.abandoned += abandoned
        s.failures = max(s.failures, failures)
        s.lastError = lastError ?? s.lastError
        return s
    }

    private func drainLoop() async {
        while backlogCount > 0, !Task.isCancelled {
            if await attemptOne() {
                consecutiveFailures = 0
            } else {
                let delay = retry.delay(attempt: consecutiveFailures)
                consecutiveFailures += 1
                try? await Task.sleep(for: delay)
            }
        }
        drainTask = nil
    }

    /// Writes the oldest batches (merged) to the shadow. The batch is taken off the queue while in
    /// flight so a concurrent `enqueue` trimming the backlog cannot drop it twice; on failure it
    /// goes back to the front.
    private func attemptOne() async -> Bool {
        await gate.withLock { await self.attemptOneHoldingGate() }
    }

    private func attemptOneHoldingGate() async -> Bool {
        guard !backlog.isEmpty else { return true }
        var batch = backlog.removeFirst()
        while let next = backlog.first, batch.count + next.count <= Self.mergeLimit {
            batch.append(contentsOf: backlog.removeFirst())
        }
        inFlight = batch.count
        defer { inFlight = 0 }
        do {
            try await writer.write(batch)
            backlogCount -= batch.count
            if consecutiveFailures > 0 {
                logger.notice("shadow caught up after failures", metadata: ["rows": "\(batch.count)", "backlog": "\(backlogCount)"])
            }
            return true
        } catch {
            backlog.insert(batch, at: 0)
            failures += 1
            lastError = String(describing: error)
            if consecutiveFailures == 0 || consecutiveFailures.isMultiple(of: 20) {
                logger.warning("shadow write failed; keeping the batch in its backlog",
                               metadata: ["error": "\(error)", "backlog": "\(backlogCount)"])
            }
            trimToLimit()
            return false
        }
    }

    private func trimToLimit() {
        var dropped = 0
        // The batch in flight cannot be given up; while one is, queued batches may all go so the
        // limit holds. Otherwise the newest batch is kept, however large.
        while backlogCount > limit, backlog.count > (inFlight > 0 ? 0 : 1) {
            let oldest = backlog.removeFirst()
            backlogCount -= oldest.count
            dropped += oldest.count
        }
        if dropped > 0 {
            abandoned += dropped
            logger.error("shadow backlog over its limit; oldest records given up",
                         metadata: ["dropped": "\(dropped)", "abandoned": "\(abandoned)", "limit": "\(limit)"])
        }
    }
}
