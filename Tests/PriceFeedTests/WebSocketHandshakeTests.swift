import FixtureServers
import Foundation
import NetworkKit
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import PriceFeed
import RecioTestSupport
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

/// `wss://` against a real TLS server on 127.0.0.1: a certificate for `localhost` made by the
/// `openssl` command line for the test, the fixture server speaking TLS with it.
@Suite(.timeLimit(.minutes(1))) struct WebSocketTLSTests {
    /// A self-signed certificate and key for `localhost` in `directory`.
    static func makeCertificate(in directory: URL) throws -> (NIOSSLCertificate, NIOSSLPrivateKey) {
        let (cert, key) = (directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl req failed")
        return (try NIOSSLCertificate(file: cert, format: .pem), try NIOSSLPrivateKey(file: key, format: .pem))
    }

    func withTLSServer<T>(_ body: (FixtureServer, NIOSSLCertificate) async throws -> T) async throws -> T {
        try await withTemporaryDirectory { directory in
            let (certificate, key) = try Self.makeCertificate(in: directory)
            let context = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate)],
                                                                                    privateKey: .privateKey(key)))
            let server = try await FixtureServer.start(tls: context)
            server.setMode(.silent)
            do {
                let result = try await body(server, certificate)
                await server.shutdown()
                return result
            } catch {
                await server.shutdown()
                throw error
            }
        }
    }

    /// Trusting the server's certificate, the session opens over TLS, sends and reads frames, and
    /// says goodbye when its body ends.
    @Test func aSessionOverTLSSendsAndReads() async throws {
        try await withTLSServer { server, certificate in
            let configuration = WebSocketSession.Configuration(closeTimeout: .milliseconds(200), trustRoots: .certificates([certificate]))
            try await WebSocketSession.run(url: server.secureWebSocketURL, configuration: configuration,
                                           eventLoop: DaemonEventLoop.group.next()) { connection in
                try await connection.send(text: #"{"type":"subscribe"}"#)
                try await eventually("subscribe received over TLS") { server.receivedTexts == [#"{"type":"subscribe"}"#] }
                var batches = connection.inbound.makeAsyncIterator()
                server.send("over tls")
                let batch = try #require(try await batches.next())
                #expect(batch.map { String(buffer: $0.unmaskedData) } == ["over tls"])
            }
            #expect(server.unmaskedClientFrames == 0)
        }
    }

    /// The certificate is checked: with the system's roots only, the self-signed server is refused
    /// before any websocket opens.
    @Test func anUntrustedCertificateIsRefused() async throws {
        try await withTLSServer { server, _ in
            do {
                try await WebSocketSession.run(url: server.secureWebSocketURL, configuration: .init(handshakeTimeout: .seconds(5)),
                                               eventLoop: DaemonEventLoop.group.next()) { _ in
                    Issue.record("a session opened with an untrusted certificate")
                }
                Issue.record("no error")
            } catch let error as WebSocketSessionError {
                #expect(error.code == .connect)
                #expect(error.description.lowercased().contains("certificate"))
            }
            #expect(server.receivedTexts.isEmpty)
        }
    }
}
