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
        // PostgreSQL only: every dataset and its checkpoint are committed together.
        func plan<R: StorableRecord>(_ type: R.Type) -> (String, WriterFactory.Plan?) { (R.dataset, factory.plan(for: R.self)) }
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
        guard context.serviceConfig.writers == [.postgres] else {
            throw ConfigError(.invalidValue, file: file, path: "$.services.kalshi_historical_ingest.writers",
                              "kalshi_historical_ingest writes to PostgreSQL only (rows and checkpoints in one transaction); set [\"postgres\"]")
        }
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
        ingest = KalshiHistoryIngest(options: options, api: KalshiHistoryAPI(client: client), store: store, logger: context.logger)
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

    public func reload(context: DaemonContext) async throws {
        let next = try KalshiIngestOptions.parse(context.serviceConfig.options, file: context.config.file)
        if next != options {
            logger.notice("kalshi_historical_ingest options changed; they take effect at the next restart")
        }
    }

    public func shutdown() async throws {
        await ingest.store.close()
    }
}
