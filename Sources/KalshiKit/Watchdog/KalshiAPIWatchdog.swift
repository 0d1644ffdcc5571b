import Foundation
import Logging
import ServiceKit
import StorageKit
import Synchronization

/// The `kalshi-api-watchdog` daemon: every poll interval it fetches the current hourly event of each
/// configured series (`GET /events/{event_ticker}`) and records one `MarketSnapshot` per market, the
/// legacy `latest_market_snapshot.json` (one `MarketPollSnapshot` per poll) and a heartbeat, through
/// the writers `services.json` names. A failed or unusable answer writes nothing for that poll.
///
/// Health: a snapshot stored within the last `health_window_polls` intervals, or Kalshi answering
/// "no such event" (between listings) within that window — reported in `STATUS=`.
public final class KalshiAPIWatchdog: Daemon {
    public static let service = ServiceName.kalshiAPIWatchdog
    /// The heartbeat's legacy file is `kalshi_logger_heartbeat.txt`.
    static let heartbeatForms = WriterFactory.JSONForms(latest: true)
    static let snapshotForms = WriterFactory.JSONForms(archive: true)
    static let pollForms = WriterFactory.JSONForms(latest: true)

    public static func writerPlans(_ factory: WriterFactory) -> [(dataset: String, plan: WriterFactory.Plan?)] {
        [
            (MarketSnapshot.dataset, factory.plan(for: MarketSnapshot.self, json: snapshotForms)),
            (MarketPollSnapshot.dataset, factory.plan(for: MarketPollSnapshot.self, json: pollForms)),
            (Heartbeat.dataset, factory.plan(for: Heartbeat.self, json: heartbeatForms)),
        ]
    }

    public let options: KalshiWatchdogOptions
    let snapshots: DatasetChannel<MarketSnapshot>
    let polls: DatasetChannel<MarketPollSnapshot>
    let heartbeats: DatasetChannel<Heartbeat>
    let api: KalshiMarketAPI
    private let factory: Mutex<WriterFactory>
    private let logger: Logger
    private let state = Mutex(WatchdogState())

    public init(context: DaemonContext) throws {
        options = try KalshiWatchdogOptions.parse(context.serviceConfig.options, file: context.config.file)
        factory = Mutex(context.factory)
        logger = context.logger
        snapshots = try DatasetChannel(MarketSnapshot.self, factory: context.factory, json: Self.snapshotForms)
        polls = try DatasetChannel(MarketPollSnapshot.self, factory: context.factory, json: Self.pollForms)
        heartbeats = try DatasetChannel(Heartbeat.self, factory: context.factory, json: Self.heartbeatForms)
        api = KalshiMarketAPI(client: KalshiHTTPClient(options: options.clientOptions, logger: context.logger))
    }

    public func prepare() async throws {
        try await factory.withLock { $0 }.prepareStores()
    }

    /// With a spool, snapshots polled while PostgreSQL is down at start are spooled and replayed
    /// once the stores are prepared.
    public var recordsWhileStoresAreDown: Bool { factory.withLock { $0.config.spoolDirectory != nil } }

    public func run() async throws {
        state.withLock { $0.startedAt = Date() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.snapshots.pipeline.run() }
            group.addTask { await self.polls.pipeline.run() }
            group.addTask { await self.heartbeats.pipeline.run() }
            group.addTask { await self.pollLoop() }
            await group.waitForAll()
        }
    }

    /// Polls until cancelled. Polls start at least a second apart (snapshots are keyed by the
    /// second a poll started); a poll that overruns its interval makes the next one start at once,
    /// missed ticks are not made up.
    func pollLoop() async {
        var lastSecond: Int64 = 0
        var next = ContinuousClock.now
        while !Task.isCancelled {
            var second = Int64(Date().timeIntervalSince1970.rounded(.down))
            if second <= lastSecond {
                // Only reachable if the wall clock stepped back: wait for a fresh second.
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            second = max(second, lastSecond + 1)
            lastSecond = second
            await pollOnce(second: second)
            next = max(next + options.pollInterval, ContinuousClock.now)
            try? await Task.sleep(until: next, tolerance: .milliseconds(10), clock: .continuous)
        }
    }

    /// One poll of every series, its records handed to the writers.
    func pollOnce(second: Int64) async {
        let outcomes = await withTaskGroup(of: PollOutcome.self) { group in
            for series in options.series {
                group.addTask { await self.poll(series: series, second: second) }
            }
            var all: [PollOutcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        var details: [String] = []
        for outcome in outcomes {
            let now = Date()
            state.withLock { $0.polls += 1; $0.record(outcome, at: now) }
            switch outcome {
            case .stored(let series, let snapshot):
                for invalid in snapshot.invalidMarkets {
                    logger.warning("invalid market skipped", metadata: [
                        "kalshi.market": .string(invalid.ticker ?? "-"), "reason": .string(invalid.reason),
                    ])
                }
                await snapshots.accept(snapshot.markets)
                await polls.accept([MarketPollSnapshot(second: second, seriesTicker: series, eventTicker: snapshot.eventTicker,
                                                       title: snapshot.title, response: snapshot.response)])
                details.append("\(snapshot.eventTicker) \(snapshot.markets.count) markets")
            case .noOpenEvent(_, let ticker):
                details.append("\(ticker) no open event")
            case .failed(_, let ticker, let error):
                details.append("\(ticker) \(error.code)")
            }
        }
        await heartbeats.accept([Heartbeat(service: Self.service.rawValue, second: second, detail: details.joined(separator: "; "))])
    }

    private func poll(series: String, second: Int64) async -> PollOutcome {
        let ticker = EventTicker(series: series, at: second).description
        do throws(KalshiAPIError) {
            switch try await api.event(ticker, second: second) {
            case .event(let snapshot): return .stored(series: series, snapshot: snapshot)
            case .noOpenEvent(let t): return .noOpenEvent(series: series, ticker: t)
            }
        } catch {
            if error.code == .unexpectedShape {
                logger.warning("unusable Kalshi event response", metadata: ["kalshi.event": .string(ticker), "error": .string(error.description)])
            }
            return .failed(series: series, ticker: ticker, error: error)
        }
    }

    public func health() async -> HealthReport {
        // Never shorter than 10 s: a store that stops answering holds one write for the spool's
        // 5 s write timeout before the batch is spooled, which is not a wedged daemon.
        let window = max(options.pollInterval * options.healthWindowPolls, .seconds(10))
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        let started = state.withLock { $0.startedAt } ?? Date()
        if Date().timeIntervalSince(await snapshots.pipeline.lastWriteAt ?? started) <= seconds { return .healthy }
        if let quiet = state.withLock({ $0.lastNoOpenEvent }), Date().timeIntervalSince(quiet.at) <= seconds { return .healthy }
        let error = state.withLock { $0.lastError }
        return .unhealthy(reason: "no market snapshot stored in the last \(window)\(error.map { " (last error: \($0))" } ?? "")")
    }

    public func statusLine() async -> String {
        let s = state.withLock { $0 }
        let quiet = s.lastNoOpenEvent.map { "no open event \($0.ticker) (healthy)" }
        let lastWrite = await snapshots.pipeline.lastWriteAt.map { "last row \(StatusLine.time($0))" }
        let client = api.client.statistics
        let pending = await pendingRecords()
        return StatusLine(
            "writing \(snapshots.writer.name)",
            quiet ?? s.lastEventTicker.map { "event \($0)" },
            lastWrite,
            "polls \(s.storedPolls) ok/\(s.failedPolls) failed/\(s.noOpenEventPolls) no event",
            "snapshots \(s.storedSnapshots)",
            s.invalidMarkets > 0 ? "invalid markets \(s.invalidMarkets)" : nil,
            client.rateLimited > 0 ? "429s \(client.rateLimited)" : nil,
            s.lastError.map { "last error \($0)" },
            "pending \(pending)"
        ).description
    }

    public func reload(context: DaemonContext) async throws {
        let next = try KalshiWatchdogOptions.parse(context.serviceConfig.options, file: context.config.file)
        if next != options {
            logger.notice("kalshi_api_watchdog options changed; they take effect at the next restart")
        }
        try await context.factory.prepareStores()
        try await snapshots.reload(factory: context.factory)
        try await polls.reload(factory: context.factory)
        try await heartbeats.reload(factory: context.factory)
        factory.withLock { $0 = context.factory }
    }

    public func pendingRecords() async -> Int {
        await snapshots.pipeline.pending + polls.pipeline.pending + heartbeats.pipeline.pending
    }

    public func shutdown() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var firstError: Error?
        for close in [snapshots.shutdown, polls.shutdown, heartbeats.shutdown] as [(ContinuousClock.Instant) async throws -> Void] {
            do { try await close(deadline) } catch { if firstError == nil { firstError = error } }
        }
        let s = state.withLock { $0 }
        logger.notice("kalshi watchdog stopped", metadata: [
            "polls.stored": .stringConvertible(s.storedPolls), "polls.failed": .stringConvertible(s.failedPolls),
            "snapshots": .stringConvertible(s.storedSnapshots),
        ])
        if let firstError { throw firstError }
    }
}
