import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// The command line every daemon shares.
public struct DaemonOptions: ParsableArguments {
    @Option(name: .long, help: "Path of services.json (default: $RECIO_CONFIG, else /etc/recio/services.json).")
    public var config: String?

    @Flag(name: .long, help: "Validate the config, print the effective writers per service, and exit.")
    public var checkConfig = false

    @Flag(name: .long, help: "Print the version and exit.")
    public var version = false

    @Flag(name: .long, help: "Do one unit of work and exit (daemons that support it, e.g. one ingest cycle).")
    public var once = false

    public init() {}

    /// The config path after applying the default and `$RECIO_CONFIG`.
    public func configPath(environment: [String: String]) -> String {
        config ?? environment["RECIO_CONFIG"] ?? "/etc/recio/services.json"
    }
}

/// Exit statuses (sysexits.h), so units can say `RestartPreventExitStatus=78`.
public enum ExitStatus {
    public static let ok: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 64
    /// EX_CONFIG: the configuration is invalid; restarting will not help.
    public static let config: Int32 = 78
}

/// The shared `main` of the four daemons: parse the command line, bootstrap logging, load and
/// validate the config (exit 78 when invalid), then run the daemon with readiness, status,
/// watchdog, SIGTERM/SIGINT graceful shutdown and SIGHUP reload.
public enum DaemonMain {
    public static func main<D: Daemon>(_ type: D.Type, arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        // What the dynamic loader mapped (relocations, symbol tables, read-around of the binary)
        // is not needed again: give it back before start-up maps what it uses (MappedFilePages).
        let loaderPages = MappedFilePages.release()
        let environment = ProcessInfo.processInfo.environment
        let options: DaemonOptions
        do {
            options = try DaemonOptions.parse(arguments)
        } catch {
            DaemonOptions.exit(withError: error)
        }
        if options.version {
            print("\(D.service.executableName) \(ServiceCommandLine.version)")
            exit(ExitStatus.ok)
        }
        // Files the daemon creates are never world-readable, whatever umask it was started with
        // (the units set UMask=0077; a stricter inherited umask is kept).
        let inherited = umask(0o027)
        umask(inherited | 0o027)
        RecioLogging.bootstrap(service: D.service.executableName, environment: environment)
        var logger = Logger(label: "recio.\(D.service.rawValue)")
        logger[metadataKey: "service"] = .string(D.service.rawValue)
        logger.debug("released the loader's file pages", metadata: ["mappings": "\(loaderPages.released)", "kib": "\(loaderPages.releasedResidentKiB)"])

        let path = options.configPath(environment: environment)
        let context: DaemonContext
        let daemon: D
        do {
            let config = try ServicesConfig.load(path: path)
            context = DaemonContext(config: config, service: D.service, logger: logger, environment: environment)
            daemon = try D(context: context)
        } catch {
            logger.critical("invalid configuration; not starting", metadata: ["config": "\(path)", "error": "\(error)"])
            FileHandle.standardError.write(Data("\(D.service.executableName): \(error)\n".utf8))
            exit(ExitStatus.config)
        }
        if options.checkConfig {
            print("\(path): OK")
            for (dataset, plan) in D.writerPlans(context.factory) {
                print("  \(D.service.rawValue) \(dataset): \(plan.map(\.description) ?? "not written at this stage")")
            }
            if let reader = context.serviceConfig.reader { print("  \(D.service.rawValue) reads price history from \(reader.rawValue)") }
            exit(ExitStatus.ok)
        }
        WriterPlanLog.log(D.writerPlans(context.factory), event: "start", logger: logger)
        if options.once {
            guard let oneShot = daemon as? any OneShotDaemon else {
                FileHandle.standardError.write(Data("\(D.service.executableName): --once is not supported by this daemon\n".utf8))
                exit(ExitStatus.usage)
            }
            exit(await runOnce(oneShot, logger: logger))
        }
        let status = await run(daemon, context: context, configPath: path, environment: environment, logger: logger)
        // exit() runs the shared libraries' exit handlers (OpenSSL, GnuTLS, Kerberos), whose code
        // faults in as the process ends: give back what the daemon no longer runs first, so the
        // last milliseconds do not set its peak RSS (MappedFilePages).
        MappedFilePages.release()
        exit(status)
    }

    /// `--once`: prepare the stores (no retries: a store that is down fails the run), do one unit
    /// of work, shut down. Returns the exit status.
    public static func runOnce(_ daemon: any OneShotDaemon, logger: Logger) async -> Int32 {
        do {
            try await daemon.prepare()
        } catch {
            logger.critical("stores not ready; nothing done", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("\(type(of: daemon).service.executableName): \(error)\n".utf8))
            return ExitStatus.failure
        }
        let ok = await daemon.runOnce()
        do {
            try await daemon.shutdown()
        } catch {
            logger.error("shutdown failed", metadata: ["error": "\(error)"])
            return ExitStatus.failure
        }
        return ok ? ExitStatus.ok : ExitStatus.failure
    }

    /// Runs a built daemon until SIGTERM/SIGINT; returns the exit status.
    public static func run<D: Daemon>(_ daemon: D, context: DaemonContext, configPath: String,
                                      environment: [String: String], logger: Logger) async -> Int32 {
        let notifier = SystemdNotifier(environment: environment)
        let main = DaemonService(daemon: daemon, notifier: notifier, logger: logger)
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloader = ReloadService(daemon: daemon, configPath: configPath, environment: environment, notifier: notifier,
                                     signals: hangups, logger: logger)
        let watchdog = WatchdogPinger(notifier: notifier, environment: environment, logger: logger) { await main.health() }
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: main, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: reloader),
                .init(service: watchdog),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        do {
            try await group.run()
            return ExitStatus.ok
        } catch {
            logger.critical("daemon failed", metadata: ["error": "\(error)"])
            return ExitStatus.failure
        }
    }
}
