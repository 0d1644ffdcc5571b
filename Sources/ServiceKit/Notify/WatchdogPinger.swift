import Foundation
import Logging
import ServiceLifecycle

/// Sends `WATCHDOG=1` to systemd every quarter of `WatchdogSec=`, but only while the daemon's own health
/// check passes. A wedged daemon (health check failing, or hanging) stops pinging, so systemd kills
/// and restarts it; pings resume by themselves if it recovers before the timeout.
///
/// Run it in the daemon's `ServiceGroup`. Without a watchdog request (`$WATCHDOG_USEC` unset, or
/// `$WATCHDOG_PID` another process) it sends nothing and just waits for shutdown, so it never ends
/// the group early. It returns on graceful shutdown or cancellation.
public struct WatchdogPinger<C: Clock>: Service where C.Duration == Duration {
    /// The watchdog systemd requested, or `nil` when there is none.
    public let settings: WatchdogSettings?
    private let notifier: SystemdNotifier
    private let clock: C
    private let logger: Logger
    private let healthCheck: @Sendable () async -> HealthReport

    /// - Parameters:
    ///   - notifier: Where pings go.
    ///   - settings: The requested watchdog (usually `WatchdogSettings.from(environment:)`).
    ///   - clock: Paces the pings; tests inject a manual clock.
    ///   - logger: Receives one warning when the health check starts failing and one notice when it
    ///     passes again (not one per interval).
    ///   - healthCheck: Asked before every ping; keep it cheap and non-blocking.
    public init(
        notifier: SystemdNotifier,
        settings: WatchdogSettings?,
        clock: C,
        logger: Logger,
        healthCheck: @escaping @Sendable () async -> HealthReport
    ) {
        self.notifier = notifier
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.healthCheck = healthCheck
    }

    public func run() async throws {
        guard let settings else {
            logger.debug("no systemd watchdog requested; not pinging")
            // Returning early would end a ServiceGroup; wait for shutdown instead.
            try? await gracefulShutdown()
            return
        }
        logger.info("systemd watchdog active", metadata: [
            "watchdog.timeout_ms": "\(settings.timeout.milliseconds)",
            "watchdog.interval_ms": "\(settings.pingInterval.milliseconds)",
        ])
        do {
            try await cancelWhenGracefulShutdown { try await pingWhileHealthy(every: settings.pingInterval) }
        } catch is CancellationError {
            return
        }
    }

    private func pingWhileHealthy(every interval: Duration) async throws {
        var wasHealthy = true
        while true {
            try Task.checkCancellation()
            switch await healthCheck() {
            case .healthy:
                if !wasHealthy {
                    logger.notice("health check passes again; resuming systemd watchdog pings")
                    wasHealthy = true
                }
                notifier.watchdog()
            case .unhealthy(let reason):
                if wasHealthy {
                    logger.warning("health check failed; withholding systemd watchdog pings so systemd restarts the service",
                                   metadata: ["watchdog.reason": "\(reason)"])
                    wasHealthy = false
                }
            }
            try await clock.sleep(for: interval)
        }
    }
}

extension WatchdogPinger where C == ContinuousClock {
    /// A pinger on the real clock for the watchdog `environment` requests for this process.
    public init(
        notifier: SystemdNotifier,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger,
        healthCheck: @escaping @Sendable () async -> HealthReport
    ) {
        self.init(notifier: notifier, settings: WatchdogSettings.from(environment: environment),
                  clock: ContinuousClock(), logger: logger, healthCheck: healthCheck)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
