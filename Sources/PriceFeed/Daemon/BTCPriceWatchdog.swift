import Foundation
import Logging
import PriceAnalytics
import ServiceKit
import StorageKit
import Synchronization

/// The `btc-price-watchdog` daemon: a continuous 1-second BTC/USD price history, written through
/// the writers `services.json` names for `btc_price_watchdog`.
///
/// - `FeedSupervisor` produces one tick per UTC second (Coinbase websocket, REST fallback while it
///   is down, the source recorded on each tick); each tick gets the legacy derived columns
///   (`LegacyColumnsCalculator`) and goes to the price-history channel, with a heartbeat.
/// - Holes (seconds with no tick since the last stored or produced one — a restart, an outage that
///   REST could not cover, a stale stretch) are filled by `GapRepairer` from the exchange's recent
///   trades, at most the last `gap_repair_max_seconds` of each; repaired ticks take the same channel.
/// - Every `price_change_interval_seconds`, Kraken hourly candles → a `PriceChangeSample`.
/// - Health: the feed is not stale and a price row was stored within `health_max_age_seconds`.
public final class BTCPriceWatchdog: Daemon {
    public static let service = ServiceName.btcPriceWatchdog
    /// The heartbeat service name (selects the legacy `btc_logger_heartbeat.txt` form).
    static let heartbeatService = ServiceName.btcPriceWatchdog.rawValue

    /// JSON forms per dataset: ticks only in the archive export (when `json_archive`), heartbeats
    /// as the legacy latest file, price changes as `btc_price_change.json` (and the archive).
    static let tickJSON = WriterFactory.JSONForms(archive: true)
    static let heartbeatJSON = WriterFactory.JSONForms(latest: true)
    static let priceChangeJSON = WriterFactory.JSONForms(latest: true, archive: true)

    public static func writerPlans(_ factory: WriterFactory) -> [(dataset: String, plan: WriterFactory.Plan?)] {
        [(PriceTick.dataset, factory.plan(for: PriceTick.self, json: tickJSON)),
         (Heartbeat.dataset, factory.plan(for: Heartbeat.self, json: heartbeatJSON)),
         (PriceChangeSample.dataset, factory.plan(for: PriceChangeSample.self, json: priceChangeJSON))]
    }

    private struct State {
        var columns = LegacyColumnsCalculator()
        var planner: GapPlanner
        var startedAt: Date?
        var liveTicks = 0
        /// The second of the first live tick (the start of this run's history).
        var firstLiveSecond: Int64?
        /// `prepare()` succeeded: the stores are migrated and readable.
        var prepared = false
        var repairedSeconds = 0
        var unrepairedSeconds = 0
        var priceChanges = 0
        var priceChangeFailures = 0
        var lastPriceChange: PriceChangeSample?
    }

    /// The options in effect (from the config the daemon was started with).
    public let options: BTCPriceWatchdogOptions
    /// Price history, heartbeats and price changes, each through its configured writers.
    public let ticks: DatasetChannel<PriceTick>
    public let heartbeats: DatasetChannel<Heartbeat>
    public let priceChanges: DatasetChannel<PriceChangeSample>
    /// The live feed (websocket + REST fallback + per-second sampling).
    public let supervisor: FeedSupervisor
    private let repairer: GapRepairer
    private let ohlc: KrakenOHLCClient
    private let factory: WriterFactory
    private let clock: any WallClock
    private let logger: Logger
    private let state: Mutex<State>
    private let holes: AsyncStream<ClosedRange<Int64>>
    private let holeSink: AsyncStream<ClosedRange<Int64>>.Continuation
    /// Yields once when `prepare()` first succeeds (for a run that started before it did).
    private let preparedSignal: AsyncStream<Void>
    private let preparedSink: AsyncStream<Void>.Continuation

    public convenience init(context: DaemonContext) throws {
        try self.init(context: context, clock: SystemWallClock())
    }

    /// Builds the daemon on an explicit clock (tests drive the per-second loop with a simulated one).
    /// No I/O happens here.
    public init(context: DaemonContext, clock: any WallClock) throws {
        let options = try BTCPriceWatchdogOptions(context.serviceConfig, file: context.config.file)
        self.options = options
        self.factory = context.factory
        self.clock = clock
        self.logger = context.logger
        ticks = try DatasetChannel(PriceTick.self, factory: context.factory, json: Self.tickJSON)
        heartbeats = try DatasetChannel(Heartbeat.self, factory: context.factory, json: Self.heartbeatJSON)
        priceChanges = try DatasetChannel(PriceChangeSample.self, factory: context.factory, json: Self.priceChangeJSON)
        let feed = CoinbaseTickerFeed(
            configuration: .init(url: options.websocketURL, productId: options.productId,
                                 silenceTimeout: .milliseconds(Int64(options.silenceTimeoutSeconds * 1000)),
                                 readInterval: .milliseconds(options.readIntervalMilliseconds)),
            logger: context.logger)
        supervisor = FeedSupervisor(
            feed: feed,
            restSources: [CoinbaseSpotClient(baseURL: options.coinbaseSpotURL, productId: options.productId),
                          KrakenTickerClient(baseURL: options.krakenURL)],
            sampler: .init(staleAfterSeconds: options.staleAfterSeconds, maxJumpFraction: options.maxJumpFraction),
            clock: clock, logger: context.logger)
        repairer = GapRepairer(client: CoinbaseTradesClient(baseURL: options.coinbaseExchangeURL, productId: options.productId),
                               logger: context.logger)
        ohlc = KrakenOHLCClient(baseURL: options.krakenURL)
        state = Mutex(State(planner: GapPlanner(maxRepairSeconds: options.gapRepairMaxSeconds)))
        (holes, holeSink) = AsyncStream.makeStream(of: ClosedRange<Int64>.self)
        (preparedSignal, preparedSink) = AsyncStream.makeStream(of: Void.self)
    }

    public func prepare() async throws {
        try await factory.prepareStores()
        state.withLock { $0.prepared = true }
        preparedSink.yield()
        preparedSink.finish()
    }

    /// With a spool, the price history has no hole when PostgreSQL is down at start: every second
    /// from the first goes to the spool and is replayed once the stores are prepared.
    public var recordsWhileStoresAreDown: Bool { factory.config.spoolDirectory != nil }

    public func run() async throws {
        state.withLock { $0.startedAt = Date() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.ticks.pipeline.run() }
            group.addTask { await self.heartbeats.pipeline.run() }
            group.addTask { await self.priceChanges.pipeline.run() }
            group.addTask { await self.repairHoles() }
            group.addTask { await self.samplePriceChanges() }
            if state.withLock({ $0.prepared }) {
                group.addTask {
                    // The stored history first, so the first tick can see the hole a restart left.
                    await self.loadStoredHistory()
                    await self.supervisor.run { tick in await self.record(tick) }
                }
            } else {
                // Started while the stores are down: record (into the spool) from the first second,
                // and look for the hole before this start once the stores are prepared.
                logger.notice("stores not ready: recording from the first second; the hole before this start is repaired once they are")
                group.addTask { await self.supervisor.run { tick in await self.record(tick) } }
                group.addTask {
                    for await _ in self.preparedSignal { break }
                    if Task.isCancelled { return }
                    await self.repairHoleBeforeStart()
                }
            }
            await group.waitForAll()
        }
    }

    // MARK: - Ticks

    /// One live tick: legacy columns, hole detection, then the channels.
    private func record(_ tick: PriceTick) async {
        let (annotated, hole) = state.withLock { s in
            s.liveTicks += 1
            if s.firstLiveSecond == nil { s.firstLiveSecond = tick.second }
            return (s.columns.annotate(tick), s.planner.observe(tick.second))
        }
        await ticks.accept([annotated])
        await heartbeats.accept([Heartbeat(service: Self.heartbeatService, second: tick.second, detail: "ok \(tick.source)")])
        guard let hole else { return }
        if let old = hole.tooOld {
            state.withLock { $0.unrepairedSeconds += old.count }
            logger.warning("price history gap older than the repair window; not repaired", metadata: Self.gapMetadata(old))
        }
        if let recent = hole.repair { holeSink.yield(recent) }
    }

    /// Repairs holes one at a time, in the order they were found.
    private func repairHoles() async {
        for await range in holes {
            var result: GapRepairer.Result?
            for attempt in 1...3 where !Task.isCancelled {
                do {
                    result = try await repairer.repair(range)
                    break
                } catch {
                    logger.warning("gap repair failed", metadata: Self.gapMetadata(range).merging([
                        "gap.attempt": .stringConvertible(attempt), "gap.error": .string(error.description),
                    ]) { $1 })
                    // A deliberate pause before asking the exchange again.
                    try? await Task.sleep(for: .seconds(attempt))
                }
            }
            guard let result else {
                state.withLock { $0.unrepairedSeconds += range.count }
                logger.warning("price history gap could not be repaired", metadata: Self.gapMetadata(range))
                continue
            }
            let repaired = state.withLock { s in
                s.repairedSeconds += result.ticks.count
                s.unrepairedSeconds += result.unrepaired.reduce(0) { $0 + $1.count }
                return result.ticks.map { s.columns.annotate($0) }
            }
            await ticks.accept(repaired)
            logger.notice("price history gap repaired from recent trades", metadata: Self.gapMetadata(range).merging([
                "gap.repaired": .stringConvertible(repaired.count), "gap.pages": .stringConvertible(result.pagesFetched),
            ]) { $1 })
        }
    }

    private static func gapMetadata(_ range: ClosedRange<Int64>) -> Logger.Metadata {
        ["gap.first": .string(UTCTime.iso8601(epochSeconds: range.lowerBound)),
         "gap.last": .string(UTCTime.iso8601(epochSeconds: range.upperBound)),
         "gap.seconds": .stringConvertible(range.count)]
    }

    /// Reads the last stored second (and the half hour before it, for the deltas) from the primary
    /// store. A store that cannot be read only costs the start-up repair, so failures are logged.
    private func loadStoredHistory() async {
        let lookback = Int64(PriceSeries.defaultCapacitySeconds)
        do {
            let history = try await withTimeout(.seconds(15)) { () -> (last: Int64, ticks: [PriceTick])? in
                guard let reader = try await self.openPrimaryReader() else { return nil }
                do {
                    guard let latest = try await reader.latest() else {
                        await reader.close()
                        return nil
                    }
                    let recent = try await reader.ticks(from: latest.second - lookback, to: latest.second + 1)
                    await reader.close()
                    return (latest.second, recent)
                } catch {
                    await reader.close()
                    throw error
                }
            }
            guard let history else {
                logger.info("no stored price history; nothing to repair at start-up")
                return
            }
            state.withLock { s in
                s.columns.seed(history.ticks)
                s.planner.noteStored(history.last)
            }
            logger.info("last stored price second", metadata: ["history.last": .string(UTCTime.iso8601(epochSeconds: history.last))])
        } catch {
            logger.warning("could not read the stored price history; no start-up gap repair",
                           metadata: ["error": .string(String(describing: error))])
        }
    }

    /// For a run that started before its stores were prepared: finds the last second stored before
    /// this run's first live tick and hands the hole between them to gap repair (or reports it).
    /// The legacy columns of the first half hour are then computed without the older ticks.
    private func repairHoleBeforeStart() async {
        let lookback = Int64(PriceSeries.defaultCapacitySeconds)
        do {
            let last = try await withTimeout(.seconds(30)) { () -> Int64? in
                guard let reader = try await self.openPrimaryReader() else { return nil }
                do {
                    let firstLive = self.state.withLock { $0.firstLiveSecond }
                    var last: Int64?
                    if let firstLive {
                        last = try await reader.ticks(from: firstLive - lookback, to: firstLive).map(\.second).max()
                    }
                    if last == nil, let latest = try await reader.latest(), latest.second < (firstLive ?? .max) {
                        last = latest.second
                    }
                    await reader.close()
                    return last
                } catch {
                    await reader.close()
                    throw error
                }
            }
            guard let last else {
                logger.info("no stored price history before this start; nothing to repair")
                return
            }
            let hole = state.withLock { s -> GapPlanner.Hole? in
                guard let firstLive = s.firstLiveSecond else {
                    s.planner.noteStored(last)  // no live tick yet: the first one sees the hole
                    return nil
                }
                var planner = GapPlanner(lastSecond: last, maxRepairSeconds: options.gapRepairMaxSeconds)
                return planner.observe(firstLive)
            }
            logger.info("last stored price second before this start", metadata: ["history.last": .string(UTCTime.iso8601(epochSeconds: last))])
            guard let hole else { return }
            if let old = hole.tooOld {
                state.withLock { $0.unrepairedSeconds += old.count }
                logger.warning("price history gap older than the repair window; not repaired", metadata: Self.gapMetadata(old))
            }
            if let recent = hole.repair { holeSink.yield(recent) }
        } catch {
            logger.warning("could not read the stored price history; the hole before this start is not repaired",
                           metadata: ["error": .string(String(describing: error))])
        }
    }

    /// A reader over the store the price history's plan names as primary.
    private func openPrimaryReader() async throws -> (any PriceHistoryReader)? {
        guard let plan = factory.plan(for: PriceTick.self, json: Self.tickJSON) else { return nil }
        switch plan.primary {
        case .postgres:
            return try PostgresPriceHistoryReader(configuration: factory.postgresConfiguration(), schema: factory.schema(), logger: logger)
        case .sqlite:
            guard let path = factory.service.sqlitePath, FileManager.default.fileExists(atPath: path) else { return nil }
            return try await SQLitePriceHistoryReader(path: path)
        case .json:
            return nil
        }
    }

    // MARK: - Price change

    /// Kraken hourly candles → `PriceChangeSample`, now and then every interval.
    private func samplePriceChanges() async {
        while !Task.isCancelled {
            do {
                let change = try await ohlc.fetchPriceChange()
                let sample = PriceChangeSample(second: clock.now().second, change1h: change.change1h, change3h: change.change3h,
                                               change1d: change.change1d, price: change.current, candleSecond: change.candleTime)
                state.withLock {
                    $0.priceChanges += 1
                    $0.lastPriceChange = sample
                }
                await priceChanges.accept([sample])
            } catch {
                state.withLock { $0.priceChangeFailures += 1 }
                logger.warning("price change poll failed", metadata: ["error": .string(error.description)])
            }
            do { try await Task.sleep(for: .seconds(options.priceChangeIntervalSeconds)) } catch { return }
        }
    }

    // MARK: - Health and status

    public func health() async -> HealthReport {
        let status = supervisor.status
        if status.isStale {
            return .unhealthy(reason: "price feed stale: no price within \(options.staleAfterSeconds) s, no rows written")
        }
        let started = state.withLock { $0.startedAt } ?? Date()
        let last = await ticks.pipeline.lastWriteAt ?? started
        let age = Date().timeIntervalSince(last)
        guard age <= Double(options.healthMaxAgeSeconds) else {
            return .unhealthy(reason: "no price row stored in the last \(Int(age)) s")
        }
        return .healthy
    }

    public func statusLine() async -> String {
        let feed = supervisor.status
        let (repaired, unrepaired) = state.withLock { ($0.repairedSeconds, $0.unrepairedSeconds) }
        let rejected = feed.sampler.rejectedInvalid + feed.sampler.rejectedJumps + feed.websocket.invalidPrice + feed.websocket.malformed
        let pending = await ticks.pipeline.pending
        return StatusLine(
            feed.isStale ? "STALE: no price for over \(options.staleAfterSeconds) s, not recording" : nil,
            "source \(feed.currentSource?.rawValue ?? "none")",
            feed.lastTickSecond.map { "last tick \(StatusLine.time(Date(timeIntervalSince1970: TimeInterval($0))))" },
            "writing \(ticks.writer.name)",
            "pending \(pending)",
            repaired > 0 ? "repaired \(repaired) s" : nil,
            unrepaired > 0 ? "gaps \(unrepaired) s" : nil,
            rejected > 0 ? "rejected \(rejected)" : nil
        ).description
    }

    // MARK: - Reload and shutdown

    public func reload(context: DaemonContext) async throws {
        let next = try BTCPriceWatchdogOptions(context.serviceConfig, file: context.config.file)
        if next != options {
            logger.notice("btc_price_watchdog options changed; they apply at the next restart (writers are swapped now)")
        }
        try await context.factory.prepareStores()
        try await ticks.reload(factory: context.factory)
        try await heartbeats.reload(factory: context.factory)
        try await priceChanges.reload(factory: context.factory)
    }

    public func pendingRecords() async -> Int {
        let a = await ticks.pipeline.pending, b = await heartbeats.pipeline.pending, c = await priceChanges.pipeline.pending
        return a + b + c
    }

    /// Drains every channel (price history first), even when one fails; throws the first failure.
    public func shutdown() async throws {
        holeSink.finish()
        let deadline = ContinuousClock.now + .seconds(30)
        var failure: (any Error)?
        for drain in [{ try await self.ticks.shutdown(until: deadline) },
                      { try await self.heartbeats.shutdown(until: deadline) },
                      { try await self.priceChanges.shutdown(until: deadline) }] as [@Sendable () async throws -> Void] {
            do { try await drain() } catch {
                logger.error("could not flush a dataset", metadata: ["error": .string(String(describing: error))])
                if failure == nil { failure = error }
            }
        }
        let accepted = await ticks.pipeline.acceptedCount, written = await ticks.pipeline.writtenCount
        logger.notice("btc price watchdog stopped", metadata: [
            "ticks.accepted": .stringConvertible(accepted), "ticks.written": .stringConvertible(written),
            "ticks.last_second": .string(supervisor.status.lastTickSecond.map { String($0) } ?? "none"),
        ])
        if let failure { throw failure }
    }
}
