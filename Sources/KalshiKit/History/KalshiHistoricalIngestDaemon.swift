import Foundation
import Logging
import ServiceKit
import StorageKit

/// The `kalshi-historical-ingest` daemon: every `interval_seconds` it runs one
/// `KalshiHistoryIngest` cycle (account and market history into PostgreSQL only, resumable by
/// checkpoints); `--once` runs one cycle and exits 0 when every stream succeeded, 1 otherwise.
///
/// READY=1 is sent as soon as the stores are migrated (the shared runner's rule), not after the
/// first cycle: a first backfill can take hours, and `STATUS=` shows its progress meanwhile
/// (`backfilling trades/… · market streams 412/1000 · rows 1234567`). Healthy while a page was
/// committed or a cycle ended within three intervals (at least 10 minutes).
public final class KalshiHistoricalIngestDaemon: Daemon, OneShotDaemon {
    public static let service = ServiceName.kalshiHistoricalIngest

    public static func writerPlans(_ factory: WriterFactory) -> [(dataset: String, plan: WriterFactory.Plan?)] {
        // PostgreSQL first: every dataset and its checkpoint are committed together; fills and
        // settlements may also go to the legacy JSON files as a shadow.
        func plan<R: StorableRecord>(_ type: R.Type) -> (String, WriterFactory.Plan?) {
            (R.dataset, factory.plan(for: R.self, json: IngestShadows.jsonForms))
        }
        return [plan(KalshiFill.self), plan(KalshiSettlement.self), plan(KalshiPosition.self), plan(KalshiMarket.self),
                plan(KalshiCandlestick.self), plan(KalshiTrade.self), plan(IngestCheckpoint.self)]
    }

    public let options: KalshiIngestOptions
    public let ingest: KalshiHistoryIngest
    private let factory: WriterFactory
    private let logger: Logger

    public init(context: DaemonContext) throws {
        let file = context.config.file
        options = try KalshiIngestOptions.parse(context.serviceConfig.options, file: file)
        try Self.checkWriters(context.serviceConfig, file: file)
        var signer: KalshiRequestSigner?
        if options.account, let keyID = options.keyID, let source = options.keySource {
            do {
                signer = try KalshiRequestSigner(keyID: keyID, source: source)
            } catch {
                let key: String
                if case .file = source { key = "private_key_file" } else { key = "private_key_credential" }
                throw ConfigError(.invalidValue, file: file, path: "$.services.kalshi_historical_ingest.options.\(key)", "\(error)")
            }
        }
        factory = context.factory
        logger = context.logger
        let client = KalshiHTTPClient(options: options.clientOptions, hook: signer, logger: context.logger)
        let store = IngestStore(configuration: try context.factory.postgresConfiguration(), schema: try context.factory.schema(),
                                lanes: options.marketConcurrency, logger: context.logger)
        let shadows = try IngestShadows(factory: context.factory)
        ingest = KalshiHistoryIngest(options: options, api: KalshiHistoryAPI(client: client), store: store, logger: context.logger,
                                     shadows: shadows)
    }

    /// PostgreSQL is the primary (rows and checkpoints in one transaction); the legacy JSON files
    /// (`fills.json`, `settlements.json`) may be a shadow during the transition; SQLite never.
    static func checkWriters(_ service: ServiceConfig, file: String) throws {
        let base = "$.services.kalshi_historical_ingest"
        guard service.writers.contains(.postgres), service.writers.allSatisfy({ $0 == .postgres || $0 == .json }) else {
            throw ConfigError(.invalidValue, file: file, path: base + ".writers",
                              "kalshi_historical_ingest writes PostgreSQL (rows and checkpoints in one transaction), optionally with the legacy JSON files as a shadow; set [\"postgres\"] or [\"postgres\", \"json\"]")
        }
        guard service.primary == .postgres else {
            throw ConfigError(.invalidValue, file: file, path: base + ".primary",
                              "kalshi_historical_ingest's primary must be \"postgres\" (its checkpoints live there); the JSON files can only be a shadow")
        }
    }

    public func prepare() async throws {
        try await factory.prepareStores()
    }

    public func run() async throws {
        var next = ContinuousClock.now
        while !Task.isCancelled {
            await ingest.runCycle()
            next = max(next + options.interval, ContinuousClock.now)
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }

    public func runOnce() async -> Bool {
        await ingest.runCycle()
    }

    public func health() async -> HealthReport {
        let p = ingest.progress
        let window = max(600, Double(options.interval.components.seconds) * 3)
        guard let last = p.lastProgressAt else { return .healthy }
        if Date().timeIntervalSince(last) <= window { return .healthy }
        return .unhealthy(reason: "no page stored and no cycle finished in the last \(Int(window)) s")
    }

    public func statusLine() async -> String {
        let p = ingest.progress
        let failures = p.failures.sorted { $0.key < $1.key }.prefix(3).map { "\($0.key) \($0.value)" }
        return StatusLine(
            p.running ? (p.cycles == 0 ? "backfilling" : "cycle \(p.cycles + 1)") + (p.currentStream.map { " \($0)" } ?? "") : "idle",
            p.marketStreamsTotal > 0 ? "market streams \(p.marketStreamsDone)/\(p.marketStreamsTotal)" : nil,
            "rows \(p.rowsStored)",
            p.lastCycleEndedAt.map { "last cycle \(StatusLine.time($0))\(p.lastCycleFailed ? " with failures" : " ok")" },
            failures.isEmpty ? nil : "failed: " + failures.joined(separator: ", "),
            p.invalidObjects > 0 ? "invalid objects \(p.invalidObjects)" : nil
        ).description
    }

    /// Options take effect at the next restart; the writers (adding or removing the JSON shadow)
    /// now: the previous shadows get their flush time to catch up and are closed.
    public func reload(context: DaemonContext) async throws {
        let file = context.config.file
        let next = try KalshiIngestOptions.parse(context.serviceConfig.options, file: file)
        try Self.checkWriters(context.serviceConfig, file: file)
        if next != options {
            logger.notice("kalshi_historical_ingest options changed; they take effect at the next restart")
        }
        // The old shadows release their files and spools before the new ones open them.
        await ingest.replaceShadows(.none).close(logger: logger)
        _ = ingest.replaceShadows(try IngestShadows(factory: context.factory))
    }

    public func shutdown() async throws {
        await ingest.store.close()
        await ingest.replaceShadows(.none).close(logger: logger)
    }
}
