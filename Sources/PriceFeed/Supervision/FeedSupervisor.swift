import Logging
import StorageKit
import Synchronization

/// Runs the live price: the Coinbase websocket as primary; while it is down, one REST poll per
/// second (the sources in order, first answer wins: Coinbase spot, then Kraken ticker); back to
/// the websocket as soon as it reconnects. Every observed price goes through one
/// `PerSecondSampler`, so the output is one `PriceTick` per UTC second whose `source` says where
/// that second's price came from. Storage is the caller's business.
///
/// It is a `final class` whose mutable state lives in a `Mutex`, so it is `Sendable` as is.
public final class FeedSupervisor: Sendable {
    private struct State {
        var sampler: PerSecondSampler
        var websocketConnected = false
        var restSource: PriceSource?
        var lastTickSecond: Int64?
        var restFailures = 0
        var restSuccesses = 0
        var wasStale = false
    }

    public let feed: CoinbaseTickerFeed
    public let restSources: [any RESTPriceSource]
    private let clock: any WallClock
    private let logger: Logger
    private let state: Mutex<State>

    /// - Parameters:
    ///   - feed: the websocket feed (its own reconnect policy applies).
    ///   - restSources: polled in order while the websocket is down.
    ///   - sampler: per-second sampling and sanity rules.
    ///   - clock: the UTC clock seconds are cut on.
    public init(feed: CoinbaseTickerFeed, restSources: [any RESTPriceSource] = [CoinbaseSpotClient(), KrakenTickerClient()],
                sampler: PerSecondSampler.Configuration = .init(), clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.feed = feed
        self.restSources = restSources
        self.clock = clock
        self.logger = logger
        self.state = Mutex(State(sampler: PerSecondSampler(configuration: sampler)))
    }

    /// A snapshot of the current state.
    public var status: FeedStatus {
        let websocket = feed.counters
        return state.withLock { s in
            FeedStatus(websocketConnected: s.websocketConnected,
                       currentSource: s.websocketConnected ? .coinbaseWebSocket : s.restSource,
                       isStale: s.sampler.isStale, lastTickSecond: s.lastTickSecond,
                       sampler: s.sampler.counters, websocket: websocket,
                       restFailures: s.restFailures, restSuccesses: s.restSuccesses)
        }
    }

    /// The ticks as an async sequence; iterating runs the supervisor, ending the iteration stops it.
    public func ticks() -> AsyncStream<PriceTick> {
        AsyncStream { continuation in
            let task = Task {
                await self.run { continuation.yield($0) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Runs until the calling task is cancelled, handing each second's tick to `onTick` in order.
    public func run(_ onTick: @escaping @Sendable (PriceTick) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.feed.run { event in self.handle(event) }
            }
            group.addTask {
                await self.secondLoop(onTick)
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func handle(_ event: CoinbaseFeedEvent) {
        state.withLock { s in
            switch event {
            case .connected:
                s.websocketConnected = true
            case .trade(let trade):
                s.sampler.ingest(trade)
            case .disconnected:
                s.websocketConnected = false
            }
        }
        switch event {
        case .connected: logger.info("price source: coinbase websocket")
        case .disconnected: logger.warning("websocket down: polling REST once a second")
        case .trade: break
        }
    }

    private func secondLoop(_ onTick: @Sendable (PriceTick) async -> Void) async {
        // A second is closed a little after it ends: the websocket is read in batches, so the last
        // trades of a second can still be in the socket at the boundary (see `secondCloseGrace`).
        let grace = feed.secondCloseGrace.components
        let graceMicroseconds = grace.seconds * 1_000_000 + grace.attoseconds / 1_000_000_000_000
        var boundary = clock.now().second + 1
        while !Task.isCancelled {
            let closeAt = TradeTime(epochMicroseconds: boundary * 1_000_000 + graceMicroseconds)
            do { try await clock.sleep(until: closeAt) } catch { return }
            let nowSecond = max(clock.now().second, boundary)
            let (ticks, becameStale, connected) = state.withLock { s in
                let ticks = s.sampler.advance(toSecond: nowSecond)
                if let last = ticks.last { s.lastTickSecond = last.second }
                let becameStale = s.sampler.isStale && !s.wasStale
                s.wasStale = s.sampler.isStale
                return (ticks, becameStale, s.websocketConnected)
            }
            if becameStale {
                logger.warning("price feed stale: no price within the carry-forward limit, no ticks until one arrives")
            }
            for tick in ticks { await onTick(tick) }
            if !connected { await pollREST() }
            boundary = nowSecond + 1
        }
    }

    /// One fallback poll: the first REST source that answers feeds the sampler.
    private func pollREST() async {
        for source in restSources {
            if Task.isCancelled { return }
            do {
                let price = try await source.fetchPrice()
                let trade = FeedTrade(price: price, time: clock.now(), source: source.source)
                state.withLock { s in
                    // The websocket may have come back while the request was in flight; its trades win.
                    guard !s.websocketConnected else { return }
                    s.sampler.ingest(trade)
                    s.restSource = source.source
                    s.restSuccesses += 1
                }
                return
            } catch {
                state.withLock { $0.restFailures += 1 }
                logger.warning("REST price poll failed", metadata: [
                    "feed.source": .string(source.source.rawValue), "feed.error": .string(error.description),
                ])
            }
        }
    }
}
