import Logging
import StorageKit

/// What one daemon supplies to the shared runner (`DaemonMain`): its own work, health and status.
/// Everything systemd-facing (readiness, watchdog, signals, reload, exit codes) is the runner's.
public protocol Daemon: Sendable {
    /// Which `services.json` entry this daemon is.
    static var service: ServiceName { get }

    /// The datasets this daemon writes and where each goes under a config (for `--check-config`
    /// and `recioctl status`).
    static func writerPlans(_ factory: WriterFactory) -> [(dataset: String, plan: WriterFactory.Plan?)]

    /// Builds the daemon from a validated config. No I/O: a store that is down must not stop the
    /// daemon from starting. Throws `ConfigError` for invalid service options (exit 78).
    init(context: DaemonContext) throws

    /// Connects stores and applies migrations. The runner retries it with backoff until it
    /// succeeds. If the first attempt fails, the runner sends `READY=1` anyway with a `STATUS=`
    /// saying it waits for the stores, and keeps pinging the watchdog while it retries.
    func prepare() async throws

    /// Whether `run()` may start before `prepare()` has succeeded, so records taken while a store
    /// is down at start-up go to the durable spool and are replayed once it is prepared (true for
    /// the watchdogs when `spool_dir` is configured). Otherwise the daemon waits for its stores.
    var recordsWhileStoresAreDown: Bool { get }

    /// The daemon's main loop; returns when cancelled (graceful shutdown cancels it).
    func run() async throws

    /// The daemon's own health, for the watchdog ping.
    func health() async -> HealthReport

    /// The one-line `STATUS=` summary.
    func statusLine() async -> String

    /// Applies a new valid config (SIGHUP): typically swaps writers in place.
    func reload(context: DaemonContext) async throws

    /// Records accepted but not yet durable (so shutdown can tell systemd it is still making progress).
    func pendingRecords() async -> Int

    /// Stops taking new data and makes every accepted record durable, then closes the writers.
    func shutdown() async throws
}

extension Daemon {
    public func pendingRecords() async -> Int { 0 }
    public var recordsWhileStoresAreDown: Bool { false }
}

/// Everything a daemon is built from.
public struct DaemonContext: Sendable {
    public var config: ServicesConfig
    public var factory: WriterFactory
    public var logger: Logger
    public var serviceConfig: ServiceConfig { factory.service }

    public init(config: ServicesConfig, service: ServiceName, logger: Logger, environment: [String: String]) {
        self.config = config
        self.factory = WriterFactory(config: config, service: service, logger: logger, environment: environment)
        self.logger = logger
    }
}
