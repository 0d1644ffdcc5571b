import Foundation
import Logging
import StorageKit
import Synchronization

/// One ingest cycle of Kalshi account and market history into PostgreSQL, resumable at any point.
///
/// Streams, each with a checkpoint row (`ingest_checkpoints`) written in the same transaction as
/// the rows of every page, so a `kill -9` anywhere resumes at the next page with no gap and no
/// duplicate:
/// - account (signed): `fills` (live list, incremental from the last watermark), `fills.historical`
///   (the historical list up to the cutoff, whenever the cutoff moved), `settlements` (incremental),
///   `positions` (a full snapshot replacing the table in one transaction);
/// - per series: `markets/SERIES` (settled markets, incremental) and `markets.historical/SERIES`,
///   then for every stored closed market `candlesticks.P/TICKER` (one commit per market and period,
///   live or historical endpoint by the market cutoff) and `trades/TICKER`, `trades.historical/TICKER`
///   (split at the trades cutoff).
///
/// Fills and settlements are also handed, once committed, to the configured shadows (the legacy
/// JSON files during the transition, `IngestShadows`); a shadow never fails or delays a stream.
///
/// A stream that fails (a 403, a shape error, retries exhausted) is logged and recorded in
/// `progress.failures`; the other streams go on. The first pass of a stream starts at the
/// configured start date; later passes start at its watermark.
public final class KalshiHistoryIngest: Sendable {
    public let options: KalshiIngestOptions
    public let api: KalshiHistoryAPI
    public let store: IngestStore
    private let logger: Logger
    private let state = Mutex(IngestProgress())
    private let clock: @Sendable () -> Int64
    private let shadowState: Mutex<IngestShadows>

    /// Candlesticks asked for in one request (Kalshi caps the span of one call).
    static let candlesPerRequest: Int64 = 5000

    public init(options: KalshiIngestOptions, api: KalshiHistoryAPI, store: IngestStore, logger: Logger,
                shadows: IngestShadows = .none, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.shadowState = Mutex(shadows)
        self.options = options
        self.api = api
        self.store = store
        self.logger = logger
        self.clock = clock
    }

    /// The shadows committed fills and settlements go to.
    public var shadows: IngestShadows { shadowState.withLock { $0 } }

    /// Replaces the shadows (a reload changed the writers); returns the previous ones for the
    /// caller to close. Pages committed from now on go to the new ones.
    public func replaceShadows(_ next: IngestShadows) -> IngestShadows {
        shadowState.withLock { current in
            defer { current = next }
            return current
        }
    }

    /// The counters so far.
    public var progress: IngestProgress { state.withLock { $0 } }

    /// Runs every enabled stream once. Returns `true` when none failed. Cancellation stops after
    /// the page being committed (the checkpoint says where to resume).
    @discardableResult
    public func runCycle() async -> Bool {
        state.withLock {
            $0.running = true
            $0.rowsThisCycle = 0
            $0.failures = [:]
            $0.marketStreamsDone = 0
            $0.marketStreamsTotal = 0
            $0.lastProgressAt = Date()
        }
        let started = clock()
        do {
            let checkpoints = try await store.checkpoints()
            let cutoff = try await api.cutoff()
            await withTaskGroup(of: Void.self) { group in
                if options.account {
                    group.addTask { await self.accountStreams(checkpoints, cutoff: cutoff, now: started) }
                }
                if options.markets {
                    group.addTask { await self.marketStreams(checkpoints, cutoff: cutoff, now: started) }
                }
            }
        } catch {
            failed("cycle", error)
        }
        let outcome = state.withLock { s -> IngestProgress in
            s.running = false
            s.currentStream = nil
            s.cycles += 1
            s.lastCycleEndedAt = Date()
            s.lastProgressAt = s.lastCycleEndedAt
            s.lastCycleFailed = !s.failures.isEmpty
            return s
        }
        logger.info("ingest cycle finished", metadata: [
            "ingest.rows": .stringConvertible(outcome.rowsThisCycle),
            "ingest.failed_streams": .string(outcome.failures.keys.sorted().joined(separator: ",")),
        ])
        return outcome.failures.isEmpty
    }

    // MARK: - Account

    private func accountStreams(_ checkpoints: [String: IngestCheckpoint], cutoff: HistoricalCutoff, now: Int64) async {
        let start = options.startTime
        let live: @Sendable (IngestCheckpoint?) -> (Int64, Int64)? = { cp in (max(cp?.watermark ?? start, start), now) }
        await paged(PagedStream(name: "fills", path: "/portfolio/fills", itemsKey: "fills", fixedQuery: [],
                                window: PagedStream<KalshiFill>.timestamps, decode: KalshiHistoryDecoder.fill,
                                keep: { $0.createdTime >= start }),
                    checkpoints["fills"], plan: live)
        await paged(PagedStream(name: "fills.historical", path: "/historical/fills", itemsKey: "fills", fixedQuery: [],
                                window: PagedStream<KalshiFill>.upTo, decode: KalshiHistoryDecoder.fill,
                                keep: { $0.createdTime >= start }),
                    checkpoints["fills.historical"], plan: { cp in
                        (cp?.watermark ?? Int64.min) < cutoff.tradesCreated ? (start, cutoff.tradesCreated) : nil
                    })
        await paged(PagedStream(name: "settlements", path: "/portfolio/settlements", itemsKey: "settlements", fixedQuery: [],
                                window: PagedStream<KalshiSettlement>.timestamps, decode: KalshiHistoryDecoder.settlement,
                                keep: { $0.settledTime >= start }),
                    checkpoints["settlements"], plan: live)
        await positions(checkpoints["positions"], now: now)
    }

    /// Reads every page of `/portfolio/positions`, then replaces the table and the checkpoint in
    /// one transaction. A crash before the commit leaves the previous snapshot in place.
    private func positions(_ checkpoint: IngestCheckpoint?, now: Int64) async {
        let name = "positions"
        guard !Task.isCancelled else { return }
        setCurrent(name)
        do {
            var cursor: String?
            var all: [KalshiPosition] = []
            repeat {
                var query = [URLQueryItem(name: "limit", value: String(options.pageLimit))]
                if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
                let page = try await api.page("/portfolio/positions", itemsKey: "market_positions", query: query)
                all += decodeAll(page.items, stream: name) { try KalshiHistoryDecoder.position($0, snapshotTime: now) }
                // The last page has no cursor; only a cursor handed out twice would loop.
                if let next = page.cursor, next == cursor { throw loopingCursor(name, next) }
                cursor = page.cursor
            } while cursor != nil
            var batch = PostgresAtomicBatch()
            try batch.replaceAll(with: all)
            try batch.upsert([IngestCheckpoint(stream: name, watermark: now, rows: (checkpoint?.rows ?? 0) + Int64(all.count), updatedAt: clock())])
            try await store.commit(batch)
            stored(Int64(all.count))
        } catch {
            failed(name, error)
        }
    }

    // MARK: - Markets

    private func marketStreams(_ checkpoints: [String: IngestCheckpoint], cutoff: HistoricalCutoff, now: Int64) async {
        let start = options.startTime
        for series in options.series {
            let keep: @Sendable (KalshiMarket) -> Bool = { $0.closeTime >= start }
            let decode: @Sendable (OrderedJSON) throws -> KalshiMarket = { try KalshiHistoryDecoder.market($0, series: series) }
            let listed = await paged(
                PagedStream(name: "markets/\(series)", path: "/markets", itemsKey: "markets",
                            fixedQuery: [URLQueryItem(name: "series_ticker", value: series), URLQueryItem(name: "status", value: "settled")],
                            window: { [URLQueryItem(name: "min_settled_ts", value: String($0)), URLQueryItem(name: "max_settled_ts", value: String($1))] },
                            decode: decode, keep: keep),
                checkpoints["markets/\(series)"], plan: { cp in (max(cp?.watermark ?? start, start), now) })
            let listedHistorical = await paged(
                PagedStream(name: "markets.historical/\(series)", path: "/historical/markets", itemsKey: "markets",
                            fixedQuery: [URLQueryItem(name: "series_ticker", value: series)], window: { _, _ in [] },
                            decode: decode, keep: keep),
                checkpoints["markets.historical/\(series)"], plan: { cp in
                    (cp?.watermark ?? Int64.min) < cutoff.marketSettled ? (start, cutoff.marketSettled) : nil
                })
            guard listed || listedHistorical else { continue }
            let markets: [IngestStore.MarketSpan]
            do {
                markets = try await store.closedMarkets(series: series).filter { $0.closeTime >= start && $0.closeTime <= now }
            } catch {
                failed("markets/\(series)", error)
                continue
            }
            await perMarketStreams(series: series, markets: markets, checkpoints: checkpoints, cutoff: cutoff)
        }
    }

    /// One unit of per-market work.
    private enum MarketWork: Sendable {
        case candlesticks(IngestStore.MarketSpan, period: Int64)
        case trades(IngestStore.MarketSpan, historical: Bool)

        /// Work of one kind stops for this cycle after its first failure (a 403 would fail them all).
        var kind: String {
            switch self {
            case .candlesticks(_, let period): return "candlesticks.\(period)"
            case .trades(_, let historical): return historical ? "trades.historical" : "trades"
            }
        }
    }

    /// The per-market work list the lanes take items from; after a failure, the remaining items of
    /// that kind are skipped for this cycle.
    private final class WorkQueue: Sendable {
        private let state: Mutex<(next: Int, failedKinds: Set<String>)>
        private let items: [MarketWork]

        init(_ items: [MarketWork]) {
            self.items = items
            state = Mutex((0, []))
        }

        func take() -> MarketWork? {
            state.withLock { s -> MarketWork? in
                while s.next < items.count {
                    let item = items[s.next]
                    s.next += 1
                    if !s.failedKinds.contains(item.kind) { return item }
                }
                return nil
            }
        }

        func failed(_ kind: String) {
            _ = state.withLock { $0.failedKinds.insert(kind) }
        }
    }

    private func perMarketStreams(series: String, markets: [IngestStore.MarketSpan], checkpoints: [String: IngestCheckpoint],
                                  cutoff: HistoricalCutoff) async {
        func done(_ name: String) -> Bool { checkpoints[name]?.watermark != nil }
        // Work list first, so STATUS= can say "412/1000".
        var work: [MarketWork] = []
        for period in options.candlePeriods {
            for m in markets where !done("candlesticks.\(period)/\(m.ticker)") { work.append(.candlesticks(m, period: period)) }
        }
        for m in markets {
            if m.openTime < cutoff.tradesCreated, !done("trades.historical/\(m.ticker)") { work.append(.trades(m, historical: true)) }
            if m.closeTime >= cutoff.tradesCreated, !done("trades/\(m.ticker)") { work.append(.trades(m, historical: false)) }
        }
        state.withLock { $0.marketStreamsTotal += work.count }
        let queue = WorkQueue(work)
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<min(store.lanes, max(1, work.count)) {
                group.addTask {
                    while !Task.isCancelled, let item = queue.take() {
                        let ok = await self.run(item, series: series, checkpoints: checkpoints, cutoff: cutoff, lane: lane)
                        if !ok { queue.failed(item.kind) }
                        self.state.withLock { $0.marketStreamsDone += 1 }
                    }
                }
            }
        }
    }

    private func run(_ item: MarketWork, series: String, checkpoints: [String: IngestCheckpoint], cutoff: HistoricalCutoff, lane: Int) async -> Bool {
        switch item {
        case .candlesticks(let market, let period):
            return await candlesticks(series: series, market: market, period: period, cutoff: cutoff, lane: lane)
        case .trades(let market, let historical):
            let name = historical ? "trades.historical/\(market.ticker)" : "trades/\(market.ticker)"
            let split = cutoff.tradesCreated
            let bounds = historical ? (market.openTime, min(market.closeTime, split)) : (max(market.openTime, split), market.closeTime)
            return await paged(
                PagedStream(name: name, path: historical ? "/historical/trades" : "/markets/trades", itemsKey: "trades",
                            fixedQuery: [URLQueryItem(name: "ticker", value: market.ticker)],
                            window: PagedStream<KalshiTrade>.timestamps, decode: KalshiHistoryDecoder.trade, fast: KalshiTradeBytes.trade),
                checkpoints[name], lane: lane, plan: { cp in cp?.watermark == nil ? bounds : nil })
        }
    }

    /// All candlesticks of one closed market for one period, stored with the stream's checkpoint
    /// in one transaction.
    private func candlesticks(series: String, market: IngestStore.MarketSpan, period: Int64, cutoff: HistoricalCutoff, lane: Int) async -> Bool {
        let name = "candlesticks.\(period)/\(market.ticker)"
        setCurrent(name)
        let historical = (market.settlementTime ?? market.closeTime) < cutoff.marketSettled
        let span = period * 60
        do {
            var all: [KalshiCandlestick] = []
            var from = market.openTime
            while from <= market.closeTime {
                let to = min(market.closeTime, from + span * Self.candlesPerRequest - 1)
                // Read straight from the response bytes (the bulk of a backfill), validated there.
                let page = try await api.candlestickRecords(series: series, ticker: market.ticker, historical: historical,
                                                            periodMinutes: period, start: from, end: to)
                skipped(page.invalid, stream: name)
                all += page.records
                from = to + 1
            }
            var batch = PostgresAtomicBatch()
            try batch.upsert(validated: all)
            try batch.upsert([IngestCheckpoint(stream: name, watermark: market.closeTime, rows: Int64(all.count), updatedAt: clock())])
            try await store.commit(batch, lane: lane)
            stored(Int64(all.count))
            return true
        } catch {
            failed(name, error)
            return false
        }
    }

    // MARK: - Paged streams

    /// Runs (or resumes) one pass of a paged stream. `plan` gives the pass window for a stream
    /// with no open pass, or `nil` when there is nothing to do. Returns `false` when it failed.
    @discardableResult
    private func paged<R: StorableRecord>(_ stream: PagedStream<R>, _ stored: IngestCheckpoint?, lane: Int = 0,
                                           plan: @Sendable (IngestCheckpoint?) -> (Int64, Int64)?) async -> Bool {
        guard !Task.isCancelled else { return true }
        var checkpoint = stored ?? IngestCheckpoint(stream: stream.name, updatedAt: clock())
        if !checkpoint.passOpen {
            guard let window = plan(stored) else { return true }
            checkpoint.passMin = window.0
            checkpoint.passMax = window.1
            checkpoint.cursor = nil
        }
        setCurrent(stream.name)
        // The next page of the pass is fetched (and parsed) while this one is decoded and committed:
        // one page ahead at most. Its query comes from the cursor of the page just received, so
        // the checkpoint committed with a page still names exactly the next page to fetch, and a
        // prefetched page that is never committed (a crash, a cancellation) is simply fetched again.
        var prefetched: Task<KalshiListBytes<R>, any Error>?
        defer { prefetched?.cancel() }
        do {
            while true {
                guard let low = checkpoint.passMin, let high = checkpoint.passMax else { break }
                let page: KalshiListBytes<R>
                if let ahead = prefetched {
                    prefetched = nil
                    page = try await ahead.value
                } else {
                    page = try await fetchPage(stream, query: pageQuery(stream, low, high, cursor: checkpoint.cursor))
                }
                if let next = page.cursor, next == checkpoint.cursor { throw loopingCursor(stream.name, next) }
                if let next = page.cursor, !Task.isCancelled {
                    let query = pageQuery(stream, low, high, cursor: next)
                    prefetched = Task { try await self.fetchPage(stream, query: query) }
                }
                skipped(page.invalid, stream: stream.name)
                let records = page.records.filter(stream.keep)
                checkpoint.rows += Int64(records.count)
                checkpoint.updatedAt = clock()
                if let next = page.cursor {
                    checkpoint.cursor = next
                } else {
                    checkpoint.watermark = high
                    checkpoint.passMin = nil
                    checkpoint.passMax = nil
                    checkpoint.cursor = nil
                }
                var batch = PostgresAtomicBatch()
                try batch.upsert(validated: records)
                try batch.upsert([checkpoint])
                try await store.commit(batch, lane: lane)
                self.stored(Int64(records.count))
                await toShadows(records, stream: stream.name)
                if !checkpoint.passOpen || Task.isCancelled { break }
            }
            return true
        } catch {
            failed(stream.name, error)
            return false
        }
    }

    /// One page of `stream`, decoded and validated: read from its bytes when the stream has a byte
    /// decoder (`fast`), else parsed into a tree.
    private func fetchPage<R>(_ stream: PagedStream<R>, query: [URLQueryItem]) async throws(KalshiAPIError) -> KalshiListBytes<R> {
        if let fast = stream.fast {
            return try await api.pageRecords(stream.path, itemsKey: stream.itemsKey, query: query, fast: fast, tree: stream.decode)
        }
        let page = try await api.page(stream.path, itemsKey: stream.itemsKey, query: query)
        return KalshiListBytes(decoding: page.items, cursor: page.cursor, tree: stream.decode)
    }

    /// The query of one page of a pass over `[low, high]`.
    private func pageQuery<R>(_ stream: PagedStream<R>, _ low: Int64, _ high: Int64, cursor: String?) -> [URLQueryItem] {
        var query = stream.fixedQuery + stream.window(low, high)
        query.append(URLQueryItem(name: "limit", value: String(options.pageLimit)))
        if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
        return query
    }

    // MARK: - Helpers

    /// Decodes and validates each item; one that fails is logged with its reason and skipped
    /// (counted in `invalidObjects`), so one bad object does not block its stream.
    private func decodeAll<R: StorableRecord>(_ items: [OrderedJSON], stream: String, _ decode: (OrderedJSON) throws -> R) -> [R] {
        let list = KalshiListBytes(decoding: items, cursor: nil, tree: decode)
        skipped(list.invalid, stream: stream)
        return list.records
    }

    /// Logs each object skipped with its reason and counts them (`invalidObjects`).
    private func skipped(_ invalid: [(reason: String, excerpt: String)], stream: String) {
        guard !invalid.isEmpty else { return }
        for item in invalid {
            logger.warning("Kalshi object skipped", metadata: [
                "ingest.stream": .string(stream), "reason": .string(item.reason), "kalshi.excerpt": .string(item.excerpt),
            ])
        }
        state.withLock { $0.invalidObjects += invalid.count }
    }

    /// Hands committed records to the shadows. A shadow only queues them (it catches up in the
    /// background); an error here (a shadow closed by a reload) is logged, never a stream failure.
    private func toShadows<R: StorableRecord>(_ records: [R], stream: String) async {
        guard R.self == KalshiFill.self || R.self == KalshiSettlement.self else { return }
        let shadows = self.shadows
        guard !shadows.isEmpty else { return }
        do {
            try await shadows.committed(records)
        } catch {
            logger.warning("rows stored in PostgreSQL but not handed to the legacy JSON shadow", metadata: [
                "ingest.stream": .string(stream), "rows": .stringConvertible(records.count), "error": .string("\(error)"),
            ])
        }
    }

    private func loopingCursor(_ stream: String, _ cursor: String) -> KalshiAPIError {
        KalshiAPIError(.unexpectedShape, request: stream, "the server returned the same cursor again (\(cursor)); stopping this stream")
    }

    private func setCurrent(_ stream: String) {
        state.withLock { $0.currentStream = stream }
    }

    private func stored(_ rows: Int64) {
        state.withLock {
            $0.rowsStored += rows
            $0.rowsThisCycle += rows
            $0.lastProgressAt = Date()
        }
    }

    private func failed(_ stream: String, _ error: any Error) {
        let text: String
        if let api = error as? KalshiAPIError { text = "\(api.code)\(api.status.map { " \($0)" } ?? "")" } else { text = "\(error)" }
        state.withLock { $0.failures[stream] = text }
        logger.error("ingest stream failed; the other streams go on", metadata: [
            "ingest.stream": .string(stream), "error": .string("\(error)"),
        ])
    }
}
