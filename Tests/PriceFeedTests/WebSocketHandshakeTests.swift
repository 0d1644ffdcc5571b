import Foundation
import NetworkKit
import NIOCore
import NIOPosix
import PriceFeed
import Synchronization
import Testing

/// A TCP server on 127.0.0.1 that accepts connections and never answers: a websocket handshake
/// sent to it gets no reply. Counts the connections it accepted and the ones the client closed.
final class MuteTCPServer: Sendable {
    let port: Int
    private let channel: any Channel
    private final class Counts: Sendable {
        let value = Mutex((accepted: 0, closedByClient: 0))
    }
    private let counts = Counts()

    var accepted: Int { counts.value.withLock { $0.accepted } }
    var closedByClient: Int { counts.value.withLock { $0.closedByClient } }

    init() async throws {
        let counts = self.counts
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                counts.value.withLock { $0.accepted += 1 }
                child.closeFuture.whenComplete { _ in counts.value.withLock { $0.closedByClient += 1 } }
                return child.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = try #require(channel.localAddress?.port)
    }

    func close() async throws {
        try await channel.close()
    }
}

@Suite(.timeLimit(.minutes(1))) struct WebSocketHandshakeTests {
    /// Connected but never upgraded: the session gives up after `handshakeTimeout` with an error
    /// that says so, and closes its socket.
    @Test func aServerThatNeverAnswersTheUpgradeTimesOut() async throws {
        let server = try await MuteTCPServer()
        let url = "ws://127.0.0.1:\(server.port)/ws"
        let started = ContinuousClock.now
        do {
            try await WebSocketSession.run(url: url, configuration: .init(handshakeTimeout: .milliseconds(300)),
                                           eventLoop: DaemonEventLoop.group.next()) { _ in
                Issue.record("a session opened without an upgrade")
            }
            Issue.record("no error")
        } catch let error as WebSocketSessionError {
            #expect(error.code == .handshakeTimeout)
            #expect(error.description.contains(url))
            #expect(error.description.contains("no websocket upgrade"))
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300))
        #expect(server.accepted == 1)
        try await eventually("the client closed its socket") { server.closedByClient == 1 }
        try await server.close()
    }

    /// The ticker feed does not hang on such a server: each attempt ends after its silence
    /// timeout and it connects again (with backoff), so the daemon's REST fallback can take over.
    @Test func theFeedKeepsRetryingAMuteServer() async throws {
        let server = try await MuteTCPServer()
        let feed = CoinbaseTickerFeed(configuration: .init(
            url: "ws://127.0.0.1:\(server.port)/ws", silenceTimeout: .milliseconds(200),
            backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(100)), closeTimeout: .milliseconds(100)),
            logger: testLogger)
        let run = Task { for await _ in feed.events() {} }
        try await eventually("three connection attempts") { server.accepted >= 3 }
        try await eventually("the client closed each one it gave up on") { server.closedByClient >= 2 }
        #expect(feed.counters.connections == 0)
        run.cancel()
        try await server.close()
    }
}
