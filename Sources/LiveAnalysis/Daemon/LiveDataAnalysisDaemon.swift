import Foundation
import Logging
import PriceAnalytics
import ServiceKit
import StorageKit
import Synchronization

/// The live-data-analysis daemon: every cycle (1 s by default) it reads the price rows added since
/// the previous cycle from the store `services.json` names (`reader`: `sqlite` or `postgres`),
/// computes the live analysis (deltas, momentum, one-minute average, volatilities, seconds to the
/// hourly close) and publishes one `AnalysisSampleRecord` through its writers (`live_analysis`
/// table, `live_analysis_latest.json`).
///
/// SIGHUP with another `reader` switches stores without a jump in the series; a stale input is
/// marked in the samples, in `STATUS=` and (once per transition) in the journal. Healthy while a
/// sample was published within the last five cycles.
public final class LiveDataAnalysisDaemon: Daemon {
    public static let service = ServiceName.liveDataAnalysis

    /// The JSON form of the samples: the latest file only.
    public static let jsonForms = WriterFactory.JSONForms(latest: true)

    public static func writerPlans(_ factory: WriterFactory) -> [(dataset: String, plan: WriterFactory.Plan?)] {
        [(AnalysisSampleRecord.dataset, factory.plan(for: AnalysisSampleRecord.self, json: jsonForms))]
    }

    /// The options in force (from the config the daemon started with).
    public let options: LiveAnalysisOptions
    /// Where the samples go.
    public let samples: DatasetChannel<AnalysisSampleRecord>
    /// The analysis state (exposed for tests: rows fetched per cycle, the latest sample).
    public let engine: LiveAnalysisEngine
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let state: Mutex<State>

    private struct State {
        var factory: WriterFactory
        var selection: PriceReaderSelection
        var lastPublished: ContinuousClock.Instant?
        var lastReport: CycleReport?
        var readError: String?
        var startedAt = ContinuousClock.now
        var firstSampleAfter: Duration?
    }

    /// Builds the daemon from a validated config (no I/O). Throws `ConfigError` for bad options.
    public convenience init(context: DaemonContext) throws {
        try self.init(context: context, clock: Date.init)
    }

    /// As `init(context:)`, with the wall clock the samples are timed by (tests inject one).
    public init(context: DaemonContext, clock: @escaping @Sendable () -> Date) throws {
        options = try LiveAnalysisOptions.parse(context.serviceConfig.options, file: context.config.file)
        let analyzer = try Analyzer(configuration: options.analyzer)
        logger = context.logger
        self.clock = clock
        engine = LiveAnalysisEngine(analyzer: analyzer, capacitySeconds: options.seriesCapacitySeconds, logger: context.logger)
        samples = try DatasetChannel(AnalysisSampleRecord.self, factory: context.factory, json: Self.jsonForms)
        state = Mutex(State(factory: context.factory, selection: PriceReaderSelection(factory: context.factory)))
    }

    public func prepare() async throws {
        let (factory, selection) = state.withLock { ($0.factory, $0.selection) }
        try await factory.prepareStores()
        if await engine.readerName == nil {
            await engine.install(try await selection.open(factory: factory, logger: logger))
        }
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.samples.pipeline.run() }
            group.addTask { await self.cycleLoop() }
            await group.waitForAll()
        }
    }

    /// The first cycle at once (start-up time to first sample), then one per interval, 250 ms into
    /// each wall-clock interval so that the price row of the second just ended is normally stored.
    private func cycleLoop() async {
        let interval = options.cycleInterval
        let intervalSeconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) * 1e-18
        while !Task.isCancelled {
            await runCycle()
            let wall = clock().timeIntervalSince1970
            let phase = wall.truncatingRemainder(dividingBy: intervalSeconds)
            var wait = intervalSeconds - phase + min(0.25, intervalSeconds / 4)
            if wait > intervalSeconds { wait -= intervalSeconds }
            try? await Task.sleep(for: .milliseconds(Int64((wait * 1000).rounded())))
        }
    }

    /// Runs one cycle at the current second and publishes its sample.
    func runCycle() async {
        let now = Int64(clock().timeIntervalSince1970.rounded(.down))
        let started = ContinuousClock.now
        do {
            let report = try await engine.cycle(now: now)
            await samples.accept([AnalysisSampleRecord(report.sample)])
            let took = ContinuousClock.now - started
            let recovered = state.withLock { s in
                s.lastPublished = .now
                s.lastReport = report
                if s.firstSampleAfter == nil { s.firstSampleAfter = ContinuousClock.now - s.startedAt }
                defer { s.readError = nil }
                return s.readError != nil
            }
            if recovered { logger.notice("price history readable again", metadata: ["reader": "\(report.readerName)"]) }
            logger.debug("cycle", metadata: ["second": "\(now)", "rows_fetched": "\(report.rowsFetched)", "reader": "\(report.readerName)",
                                             "took_us": "\(Int64(took / .microseconds(1)))"])
            if report.initialLoad {
                logger.info("history loaded", metadata: ["rows_fetched": "\(report.rowsFetched)", "reader": "\(report.readerName)",
                                                        "missing": "\(report.sample.missingFigures.joined(separator: ","))"])
            }
        } catch {
            let first = state.withLock { s in
                defer { s.readError = String(describing: error) }
                return s.readError == nil
            }
            if first {
                logger.error("cannot read the price history; no sample this cycle", metadata: ["error": "\(error)"])
            }
        }
    }

    public func health() async -> HealthReport {
        let limit = max(options.cycleInterval * 5, .seconds(3))
        let (last, error) = state.withLock { ($0.lastPublished, $0.readError) }
        guard let last, ContinuousClock.now - last <= limit else {
            return .unhealthy(reason: "no analysis sample published in the last \(limit)" + (error.map { ": \($0)" } ?? ""))
        }
        return .healthy
    }

    public func statusLine() async -> String {
        let (report, error, selection) = state.withLock { ($0.lastReport, $0.readError, $0.selection) }
        var input: String?
        if let sample = report?.sample {
            if sample.stale {
                input = sample.secondsSinceLastPrice.map { "STALE: no new price for \($0) s" } ?? "STALE: no price at all"
            } else if let price = sample.price {
                input = "price \(USDCents(cents: price.cents)) at \(StatusLine.time(Date(timeIntervalSince1970: TimeInterval(price.second))))"
            }
        }
        return StatusLine(
            "reading \(selection.kind.rawValue)",
            "writing \(samples.writer.name)",
            input,
            report.map { "rows/cycle \($0.rowsFetched)" },
            report.map { $0.sample.missingFigures.isEmpty ? nil : "missing \($0.sample.missingFigures.count) figures" } ?? nil,
            error.map { "read error: \($0)" },
            "pending \(await samples.pipeline.pending)"
        ).description
    }

    public func reload(context: DaemonContext) async throws {
        let next = try LiveAnalysisOptions.parse(context.serviceConfig.options, file: context.config.file)
        let selection = PriceReaderSelection(factory: context.factory)
        let current = state.withLock { $0.selection }
        var reader: (any PriceHistoryReader)?
        if selection != current {
            try await context.factory.prepareStores()
            reader = try await selection.open(factory: context.factory, logger: logger)
        }
        do {
            try await samples.reload(factory: context.factory)
        } catch {
            await reader?.close()
            throw error
        }
        if let reader {
            await engine.install(reader)
            logger.notice("price history reader will switch", metadata: ["reader.from": "\(current.kind.rawValue)", "reader.to": "\(selection.kind.rawValue)"])
        }
        state.withLock {
            $0.factory = context.factory
            $0.selection = selection
        }
        if next != options {
            logger.warning("analysis options changed; they take effect at the next restart", metadata: ["options": "\(LiveAnalysisOptions.path)"])
        }
    }

    public func pendingRecords() async -> Int { await samples.pipeline.pending }

    public func shutdown() async throws {
        do {
            try await samples.shutdown(until: .now + .seconds(30))
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
        let (cycles, rows) = (await engine.cycles, await engine.totalRowsFetched)
        logger.notice("live analysis stopped", metadata: ["cycles": "\(cycles)", "rows_fetched": "\(rows)"])
    }

    /// Time from construction to the first published sample, once there is one.
    public var startupToFirstSample: Duration? { state.withLock { $0.firstSampleAfter } }
}
