import Foundation
import Logging
import ServiceLifecycle
import StorageKit

/// Runs one daemon's life: prepare its stores, announce `READY=1`, keep `STATUS=` current, run
/// until graceful shutdown, then `STOPPING=1` and flush every accepted record before returning.
///
/// A store that is down at start is not fatal and does not hold back `READY=1` (systemd would
/// kill a unit that stays in start-up past `TimeoutStartSec=`, a slow crash loop): after the first
/// failed attempt the daemon reports ready with `STATUS=waiting for stores …`, keeps pinging the
/// watchdog, and retries with backoff. A daemon that `recordsWhileStoresAreDown` runs meanwhile
/// (its records go to the spool); the others wait for the stores before running.
final class DaemonService<D: Daemon>: Service {
    let daemon: D
    let notifier: SystemdNotifier
    let logger: Logger
    let retry = RetryPolicy(initialDelay: .milliseconds(250), maximumDelay: .seconds(15))
    private let preparation = StorePreparation()
    private let running = ManagedFlag()

    init(daemon: D, notifier: SystemdNotifier, logger: Logger) {
        self.daemon = daemon
        self.notifier = notifier
        self.logger = logger
    }

    /// While the stores are being prepared: healthy unless one attempt hangs (the retry loop is
    /// alive). Once the daemon runs: a full spool fails it, else the daemon's own check decides.
    func health() async -> HealthReport {
        if let hung = preparation.hung {
            return .unhealthy(reason: "preparing the stores has hung for \(hung.components.seconds) s")
        }
        let full = SpoolMonitor.shared.fullSpools
        if !full.isEmpty {
            return .unhealthy(reason: "spool full (\(full.joined(separator: ", "))): the store has been unreachable too long")
        }
        guard running.value else { return .healthy }
        return await daemon.health()
    }

    func run() async throws {
        if await attemptPrepare() {
            let line = await statusLine()
            notifier.ready(status: line)
            logger.info("ready", metadata: ["status": "\(line)"])
        } else {
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            let recording = daemon.recordsWhileStoresAreDown
            let line = await statusLine()
            notifier.ready(status: line)
            logger.warning(recording ? "stores not ready at start; recording into the spool until they are"
                                     : "stores not ready at start; waiting for them before recording",
                           metadata: ["status": "\(line)"])
            if !recording {
                guard await prepareUntilReady() else { return }
            }
        }
        running.value = true
        releaseStartupPages("running")

        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // By then the daemon has connected and done its first units of work: what start-up
                // alone used (argument parsing, config, migrations, connecting) can go from RSS.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.startupSettles) }
                if !Task.isCancelled && !Task.isShuttingDownGracefully { self.releaseStartupPages("start-up settled") }
            }
            if !preparation.isPrepared {
                group.addTask { _ = await self.prepareUntilReady() }
            }
            group.addTask {
                do {
                    try await cancelWhenGracefulShutdown { try await self.daemon.run() }
                } catch is CancellationError {
                } catch {
                    self.logger.error("daemon loop ended with an error", metadata: ["error": "\(error)"])
                }
            }
            group.addTask {
                // STATUS= kept current while running.
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
                    self.notifier.status(await self.statusLine())
                }
            }
            await group.waitForAll()
        }

        notifier.stopping()
        let pending = await daemon.pendingRecords()
        logger.notice("stopping: flushing writers", metadata: ["pending": "\(pending)"])
        try await shutdownExtendingTimeout()
        logger.notice("stopped cleanly")
    }

    /// How long after the stores are ready start-up is taken to be over (`releaseStartupPages`).
    static var startupSettles: Duration { .seconds(10) }

    /// Gives back the file pages only start-up used (`MappedFilePages`); those still in use come
    /// back on their next access.
    private func releaseStartupPages(_ when: String) {
        let outcome = MappedFilePages.release()
        logger.debug("released start-up file pages", metadata: ["after": "\(when)", "mappings": "\(outcome.released)",
                                                                "kib": "\(outcome.releasedResidentKiB)"])
    }

    /// One attempt at `prepare()`; true when the stores are ready.
    private func attemptPrepare() async -> Bool {
        preparation.begin()
        do {
            try await cancelWhenGracefulShutdown { try await self.daemon.prepare() }
            preparation.succeeded()
            return true
        } catch {
            let attempt = preparation.failed(error)
            if !(Task.isCancelled || Task.isShuttingDownGracefully) {
                logger.warning("stores not ready; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
            }
            return false
        }
    }

    /// Retries `prepare()` with backoff until it succeeds (true) or shutdown begins (false).
    private func prepareUntilReady() async -> Bool {
        var attempt = 0
        while !(Task.isCancelled || Task.isShuttingDownGracefully) {
            let delay = retry.delay(attempt: attempt)
            attempt += 1
            notifier.status(await statusLine())
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return false }
            if await attemptPrepare() {
                let line = await statusLine()
                notifier.status(line)
                logger.notice("stores ready; migrations applied", metadata: ["status": "\(line)", "attempts": "\(attempt + 1)"])
                return true
            }
        }
        return false
    }

    /// The daemon's `STATUS=` line, after `waiting for stores …` while they are not ready, with the
    /// spool backlog (or `SPOOL FULL`) appended when there is one.
    func statusLine() async -> String {
        let waiting = preparation.waitingStatus(recording: daemon.recordsWhileStoresAreDown)
        if let waiting, !running.value, !daemon.recordsWhileStoresAreDown { return waiting }
        return StatusLine(waiting, await daemon.statusLine(), SpoolMonitor.shared.statusPart).description
    }

    /// Flushes, telling systemd to extend the stop timeout while records are still draining.
    private func shutdownExtendingTimeout() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.daemon.shutdown() }
            group.addTask {
                var lastPending = await self.daemon.pendingRecords()
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(5))
                    let pending = await self.daemon.pendingRecords()
                    if pending > 0, pending < lastPending {
                        self.notifier.extendTimeout(by: .seconds(15))
                    }
                    lastPending = pending
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// A Boolean shared between the daemon task and the watchdog's health check.
final class ManagedFlag: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var _value = false
    var value: Bool {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
