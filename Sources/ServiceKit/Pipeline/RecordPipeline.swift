import Foundation
import Logging
import StorageKit

/// Decouples a daemon's producer (a websocket reader, a poller) from its writer: records are
/// accepted into an in-memory queue without waiting for storage, and `run()` writes them in
/// batches through the (swappable) writer. A failed batch is kept at the front of the queue and
/// retried with backoff — never dropped — so a store outage delays records but loses none.
/// `drain()` writes everything still queued; the runner calls it on shutdown.
public actor RecordPipeline<Record: StorableRecord> {
    public let writer: SwappableWriter<Record>
    private let maxBatch: Int
    private let retry: RetryPolicy
    private let logger: Logger
    private var queue: [Record] = []
    private var head = 0
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var consecutiveFailures = 0
    /// Serialises batch writes between `run()` and `drain()` so a batch is never taken twice.
    private let gate = AsyncGate()
    private(set) public var acceptedCount = 0
    private(set) public var writtenCount = 0
    private(set) public var lastWriteAt: Date?
    private(set) public var lastError: String?

    public init(writer: SwappableWriter<Record>, maxBatch: Int = 5_000, retry: RetryPolicy = RetryPolicy(), logger: Logger) {
        self.writer = writer
        self.maxBatch = maxBatch
        self.retry = retry
        self.logger = logger
    }

    /// Records accepted but not yet written.
    public var pending: Int { queue.count - head }

    /// Queues records for writing; returns at once.
    public func accept(_ records: [Record]) {
        guard !records.isEmpty else { return }
        queue.append(contentsOf: records)
        acceptedCount += records.count
        wakeUp?.resume()
        wakeUp = nil
    }

    /// Writes batches until cancelled.
    public func run() async {
        while !Task.isCancelled {
            if pending == 0 {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if pending > 0 || Task.isCancelled { continuation.resume() } else { wakeUp = continuation }
                    }
                } onCancel: {
                    Task { await self.cancelWait() }
                }
                continue
            }
            if await writeOneBatch() {
                consecutiveFailures = 0
            } else {
                let delay = retry.delay(attempt: consecutiveFailures)
                consecutiveFailures += 1
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Writes everything queued, retrying failed batches until `deadline`. Throws the last error
    /// if records are still pending at the deadline.
    public func drain(until deadline: ContinuousClock.Instant = .now + .seconds(60)) async throws {
        var attempt = 0
        while pending > 0 {
            if await writeOneBatch() { continue }
            guard ContinuousClock.now < deadline else {
                throw StorageError(.unavailable, subject: Record.dataset,
                                   "\(pending) records could not be written before the shutdown deadline: \(lastError ?? "unknown error")")
            }
            try? await Task.sleep(for: retry.delay(attempt: attempt))
            attempt += 1
        }
        try await writer.flush()
    }

    private func cancelWait() {
        wakeUp?.resume()
        wakeUp = nil
    }

    private func writeOneBatch() async -> Bool {
        await gate.withLock { await self.writeOneBatchHoldingGate() }
    }

    private func writeOneBatchHoldingGate() async -> Bool {
        guard pending > 0 else { return true }
        let end = min(queue.count, head + maxBatch)
        let batch = Array(queue[head..<end])
        do {
            try await writer.write(batch)
        } catch {
            lastError = String(describing: error)
            if consecutiveFailures == 0 || consecutiveFailures.isMultiple(of: 30) {
                logger.error("write failed; records kept and retried", metadata: ["error": "\(error)", "pending": "\(pending)"])
            }
            return false
        }
        head = end
        writtenCount += batch.count
        lastWriteAt = Date()
        if head > 65_536 || head == queue.count {
            queue.removeFirst(head)
            head = 0
        }
        if consecutiveFailures > 0 {
            logger.notice("writes recovered", metadata: ["pending": "\(pending)"])
        }
        return true
    }
}
