import Foundation
import Logging
import NetworkKit
import NIOCore
import StorageKit
import Synchronization

/// The Coinbase Exchange websocket ticker feed for one product: connects, sends the legacy
/// subscribe message, yields new trades, and reconnects (exponential backoff with jitter) when
/// the socket closes, fails, or stays silent longer than `silenceTimeout`.
///
/// Trade ids are strictly increasing on Coinbase, so a ticker whose `trade_id` is not greater
/// than the last one yielded (a duplicate after a reconnect, a replay, a reordering) is dropped
/// and counted; `sequence` is carried on the trade but not used for ordering, because it is a
/// per-channel message counter that also advances for non-trade messages.
///
/// It is a `final class` whose mutable state lives in a `Mutex`, so it is `Sendable` as is.
public final class CoinbaseTickerFeed: Sendable {
    /// Where and how to connect.
    public struct Configuration: Sendable {
        /// `wss://` in production, `ws://` against a local fixture.
        public var url: String
        public var productId: String
        /// No message at all for this long → reconnect (legacy: 10 s).
        public var silenceTimeout: Duration
        public var backoff: Backoff
        /// How long a close handshake (and a TLS shutdown) may take before the socket is dropped.
        public var closeTimeout: Duration
        /// Largest websocket message accepted.
        public var maxMessageSize: Int
        /// Least time between two reads of the socket: messages that arrive meanwhile wait in the
        /// kernel and are read, in order, by one wake-up (see `WebSocketSession`); the socket is
        /// also read right after every whole UTC second. Zero reads each message as it arrives.
        public var readInterval: Duration
        /// With batched reads, how long after a UTC second ends the per-second loop waits before it
        /// closes the second (`CoinbaseTickerFeed.secondCloseGrace`).
        public var batchedSecondCloseGrace: Duration

        /// The default `batchedSecondCloseGrace`: the read at a second's end, its decoding and
        /// hand-over take well under a millisecond on the event loop; 3 ms leaves room for a busy
        /// machine without adding much to the time a row takes to become durable.
        public static let defaultBatchedSecondCloseGrace = Duration.milliseconds(3)
        /// The default `readInterval`, in milliseconds (chosen by measurement, see BENCHMARKS.md: at
        /// 1,000 messages/s 20 ms costs 1.4 % of a core against 1.9–2.2 % at 10 ms). It does not delay
        /// a second's row: the socket is also read at every second's end.
        public static let defaultReadIntervalMilliseconds: Int64 = 20
        /// The default `readInterval`.
        public static var defaultReadInterval: Duration { .milliseconds(defaultReadIntervalMilliseconds) }

        public init(url: String = "wss://ws-feed.exchange.coinbase.com", productId: String = "BTC-USD",
                    silenceTimeout: Duration = .seconds(10), backoff: Backoff = Backoff(),
                    closeTimeout: Duration = .seconds(1), maxMessageSize: Int = 1 << 16,
                    readInterval: Duration = Configuration.defaultReadInterval,
                    batchedSecondCloseGrace: Duration = Configuration.defaultBatchedSecondCloseGrace) {
            self.url = url
            self.productId = productId
            self.silenceTimeout = silenceTimeout
            self.backoff = backoff
            self.closeTimeout = closeTimeout
            self.maxMessageSize = maxMessageSize
            self.readInterval = readInterval
            self.batchedSecondCloseGrace = batchedSecondCloseGrace
        }
    }

    private struct State {
        var counters = CoinbaseFeedCounters()
        var lastTradeId: Int64?
    }

    public let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())

    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "feed.url"] = .string(configuration.url)
        self.logger = logger
    }

    /// A snapshot of the counters.
    public var counters: CoinbaseFeedCounters { state.withLock { $0.counters } }

    /// How long after a UTC second ends a trade of that second may still be on its way from the
    /// socket to the sampler: zero when every message is read as it arrives; with batched reads,
    /// `batchedSecondCloseGrace`, because the socket is then read right after each whole second
    /// (`readAtSecondBoundaries`) and that read must reach the sampler. The per-second loop waits
    /// this long before it closes a second, so batching never makes a trade late.
    public var secondCloseGrace: Duration {
        configuration.readInterval > .zero ? configuration.batchedSecondCloseGrace : .zero
    }

    /// The events as an async sequence. Iterating starts the connection; ending the iteration
    /// (or cancelling the iterating task) stops it.
    public func events() -> AsyncStream<CoinbaseFeedEvent> {
        AsyncStream { continuation in
            let task = Task {
                await self.run { continuation.yield($0) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Runs the connect/read/reconnect loop until the calling task is cancelled, reporting every
    /// event to `onEvent` (awaited: a slow consumer slows reading, it never loses a trade).
    public func run(_ onEvent: @escaping @Sendable (CoinbaseFeedEvent) async -> Void) async {
        var attempt = 0
        while !Task.isCancelled {
            let before = counters.messages
            let reason = await connectOnce(onEvent)
            state.withLock { $0.counters.disconnects += 1 }
            await onEvent(.disconnected(reason: reason))
            if Task.isCancelled { break }
            if counters.messages > before { attempt = 0 }  // a useful session resets the backoff
            let delay = configuration.backoff.delay(attempt: attempt, random: Double.random(in: 0..<1))
            attempt += 1
            logger.warning("coinbase websocket down, reconnecting", metadata: [
                "feed.reason": .string(reason), "feed.retry_in": .string("\(delay)"), "feed.attempt": .stringConvertible(attempt),
            ])
            // A backoff is a deliberate pause, not a wait for an event.
            try? await Task.sleep(for: delay)
        }
    }

    /// Why a session ended, when it was the feed's own decision.
    private struct SessionEnd: Error, CustomStringConvertible {
        var description: String
    }

    /// One websocket session; returns why it ended.
    private func connectOnce(_ onEvent: @escaping @Sendable (CoinbaseFeedEvent) async -> Void) async -> String {
        let configuration = self.configuration
        // Read at every second's end too, so `secondCloseGrace` can stay short; a connect, and then
        // the TLS handshake and upgrade, may each take as long as silence is tolerated.
        let session = WebSocketSession.Configuration(
            maxFrameSize: max(configuration.maxMessageSize, 1 << 14), readInterval: configuration.readInterval,
            readAtSecondBoundaries: true, connectTimeout: configuration.silenceTimeout,
            handshakeTimeout: configuration.silenceTimeout, closeTimeout: configuration.closeTimeout)
        let subscribe = CoinbaseMessage.subscribeText(productId: configuration.productId)
        let watch = SilenceWatch()
        do {
            // The socket lives on the daemon's one event loop, and the reading task runs there too:
            // each batch is decoded on the thread that read it, with no hop to the cooperative pool.
            let loop = DaemonEventLoop.group.next()
            try await WebSocketSession.run(url: configuration.url, configuration: session, eventLoop: loop) { connection in
                try await connection.send(text: subscribe)
                self.state.withLock { $0.counters.connections += 1 }
                self.logger.info("coinbase websocket connected")
                await onEvent(.connected)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let read: @Sendable () async throws -> Void = {
                        // Frames, not strings: a text message is decoded from the frame's bytes in
                        // place. One batch is whatever one socket read brought, in order.
                        var assembler = WebSocketMessageAssembler(maxSize: configuration.maxMessageSize)
                        for try await batch in connection.inbound {
                            watch.touch()
                            for frame in batch {
                                guard let message = try assembler.append(frame) else { continue }
                                if let event = message.withUnsafeReadableBytes({ self.handle($0) }) { await onEvent(event) }
                            }
                        }
                        throw SessionEnd(description: connection.serverClose.map { "closed by server (\($0))" } ?? "closed by server")
                    }
                    if #available(macOS 15, *) {
                        group.addTask(executorPreference: EventLoopTaskExecutor(loop), operation: read)
                    } else {
                        group.addTask(operation: read)
                    }
                    group.addTask {
                        try await watch.waitForSilence(configuration.silenceTimeout)
                        throw SessionEnd(description: "silent for \(configuration.silenceTimeout)")
                    }
                    try await group.next()
                }
            }
            return "closed"
        } catch let end as SessionEnd {
            return end.description
        } catch is CancellationError {
            return "cancelled"
        } catch {
            return "connection failed: \(error)"
        }
    }

    /// Decodes and filters one text message (its UTF-8 bytes); returns the event to yield, if any.
    private func handle(_ bytes: UnsafeRawBufferPointer) -> CoinbaseFeedEvent? {
        let decoded: CoinbaseMessage
        do {
            decoded = try CoinbaseMessage.decode(utf8: bytes, productId: configuration.productId)
        } catch {
            state.withLock {
                $0.counters.messages += 1
                switch error.code {
                case .invalidPrice: $0.counters.invalidPrice += 1
                case .wrongProduct: $0.counters.wrongProduct += 1
                default: $0.counters.malformed += 1
                }
            }
            logger.warning("coinbase message rejected", metadata: ["feed.error": .string(error.description)])
            return nil
        }
        return state.withLock { s -> CoinbaseFeedEvent? in
            s.counters.messages += 1
            switch decoded {
            case .ticker(let ticker):
                if let last = s.lastTradeId, ticker.tradeId <= last {
                    s.counters.duplicateOrOutOfOrder += 1
                    return nil
                }
                s.lastTradeId = ticker.tradeId
                s.counters.tradesYielded += 1
                return .trade(ticker.trade)
            case .heartbeat:
                s.counters.heartbeats += 1
            case .error(let message, let reason):
                s.counters.serverErrors += 1
                logger.warning("coinbase websocket error message", metadata: [
                    "feed.message": .string(message), "feed.reason": .string(reason ?? ""),
                ])
            case .subscriptions:
                break
            case .unknown:
                s.counters.unknownTypes += 1
            }
            return nil
        }
    }
}

/// The instant of the last message on a socket, and a wait that ends when it gets too old.
/// `Sendable` through its `Mutex`.
private final class SilenceWatch: Sendable {
    private let last = Mutex(ContinuousClock.now)

    func touch() { last.withLock { $0 = .now } }

    /// Returns once no `touch()` happened for `timeout`; throws `CancellationError` when cancelled.
    func waitForSilence(_ timeout: Duration) async throws {
        while true {
            let deadline = last.withLock { $0 } + timeout
            if ContinuousClock.now >= deadline { return }
            try await Task.sleep(until: deadline, clock: .continuous)
        }
    }
}
