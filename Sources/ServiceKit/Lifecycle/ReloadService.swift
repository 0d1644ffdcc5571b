import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads `services.json` on SIGHUP. A valid new config is handed to the daemon (which swaps its
/// writers in place, losing and duplicating nothing); an invalid one is logged and the daemon keeps
/// running on the old config.
final class ReloadService<D: Daemon>: Service {
    let daemon: D
    let configPath: String
    let environment: [String: String]
    let notifier: SystemdNotifier
    let logger: Logger
    let signals: UnixSignalsSequence

    /// `signals` must already trap SIGHUP when the daemon reports READY=1: created before the service
    /// group starts, so a reload right after start-up is never the default action (terminate).
    init(daemon: D, configPath: String, environment: [String: String], notifier: SystemdNotifier, signals: UnixSignalsSequence, logger: Logger) {
        self.signals = signals
        self.daemon = daemon
        self.configPath = configPath
        self.environment = environment
        self.notifier = notifier
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.signals {
                await self.reload()
            }
        }
    }

    func reload() async {
        notifier.reloading()
        defer { notifier.ready() }
        do {
            let config = try ServicesConfig.load(path: configPath)
            let context = DaemonContext(config: config, service: D.service, logger: logger, environment: environment)
            try await daemon.reload(context: context)
            logger.notice("configuration reloaded", metadata: ["config": "\(configPath)"])
            WriterPlanLog.log(D.writerPlans(context.factory), event: "reload", logger: logger)
        } catch {
            logger.error("reload rejected; still running on the previous configuration", metadata: ["config": "\(configPath)", "error": "\(error)"])
        }
        notifier.status(await daemon.statusLine())
    }
}
