import Foundation
import Logging
import ServiceLifecycle
import StorageKit

/// Runs one daemon's life: prepare its stores (retrying with backoff while they are unreachable,
/// which is not fatal), announce `READY=1`, keep `STATUS=` current, run until graceful shutdown,
/// then `STOPPING=1` and flush every accepted record before returning.
final class DaemonService<D: Daemon>: Service {
    let daemon: D
    let notifier: SystemdNotifier
    let logger: Logger
    let retry = RetryPolicy(initialDelay: .milliseconds(250), maximumDelay: .seconds(15))
    private let ready = ManagedFlag()

    init(daemon: D, notifier: SystemdNotifier, logger: Logger) {
        self.daemon = daemon
        self.notifier = notifier
        self.logger = logger
    }

    /// Healthy only once ready and while the daemon says so.
    func health() async -> HealthReport {
        guard ready.value else { return .unhealthy(reason: "starting") }
        let full = SpoolMonitor.shared.fullSpools
        if !full.isEmpty {
            return .unhealthy(reason: "spool full (\(full.joined(separator: ", "))): the store has been unreachable too long")
        }
        return await daemon.health()
    }

    func run() async throws {
        var attempt = 0
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await self.daemon.prepare() }
                break
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                let delay = retry.delay(attempt: attempt)
                attempt += 1
                logger.warning("stores not ready; retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)", "retry_in": "\(delay)"])
                notifier.status("waiting for stores (attempt \(attempt)): \(String(describing: error).prefix(160))")
                try? await Task.sleep(for: delay)
            }
        }
        ready.value = true
        let line = await statusLine()
        notifier.ready(status: line)
        logger.info("ready", metadata: ["status": "\(line)"])

        await withTaskGroup(of: Void.self) { group in
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

    /// The daemon's `STATUS=` line, with the spool backlog (or `SPOOL FULL`) appended when there is one.
    func statusLine() async -> String {
        StatusLine(await daemon.statusLine(), SpoolMonitor.shared.statusPart).description
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
