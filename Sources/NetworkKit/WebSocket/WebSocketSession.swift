import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A client websocket on SwiftNIO whose socket is read in batches: at most one read every
/// `readInterval` (`WebSocketReadPacer`), and the data frames of one read handed to the reader as
/// one array (`WebSocketFrameBatcher`). At a thousand messages a second that turns a thousand
/// event-loop wake-ups and task resumptions into a few hundred, for at most `readInterval` more
/// latency per message; nothing is dropped or reordered (unread bytes wait in the kernel).
///
/// The session answers pings, answers a server's close and ends, masks what it sends, and, when
/// the body ends first, sends a close (1000) before closing the socket. Joining fragmented
/// messages is left to the reader (frames arrive in order). Plain `ws://` for local fixtures and
/// `wss://` with SNI; `closeTimeout` bounds the TLS shutdown (NIOSSL waits 5 s by default).
public enum WebSocketSession {
    /// How to connect and read.
    public struct Configuration: Sendable {
        /// Largest frame accepted; a larger one is a protocol error that ends the session.
        public var maxFrameSize: Int
        /// Least time between the end of one socket read and the start of the next; zero reads as
        /// soon as data arrives.
        public var readInterval: Duration
        /// Also read right after every whole UTC second, whatever the interval (for a reader that
        /// closes per-second samples: it need not wait a whole interval for a second's last message).
        public var readAtSecondBoundaries: Bool
        /// Limit on the TCP connect.
        public var connectTimeout: Duration
        /// Limit on the rest of the opening, once connected: the TLS handshake and the server's
        /// answer to the upgrade request. A server that accepts and then says nothing would
        /// otherwise hold the session open for ever.
        public var handshakeTimeout: Duration
        /// How long a TLS shutdown may wait for the peer's `close_notify`.
        public var closeTimeout: Duration
        /// The certificates a `wss://` server's chain must lead to (default: the system's).
        public var trustRoots: NIOSSLTrustRoots

        public init(maxFrameSize: Int = 1 << 16, readInterval: Duration = .zero, readAtSecondBoundaries: Bool = false,
                    connectTimeout: Duration = .seconds(10), handshakeTimeout: Duration = .seconds(10),
                    closeTimeout: Duration = .seconds(1), trustRoots: NIOSSLTrustRoots = .default) {
            self.maxFrameSize = maxFrameSize
            self.readInterval = readInterval
            self.readAtSecondBoundaries = readAtSecondBoundaries
            self.connectTimeout = connectTimeout
            self.handshakeTimeout = handshakeTimeout
            self.closeTimeout = closeTimeout
            self.trustRoots = trustRoots
        }
    }

    /// An open session, as the body of `run` sees it.
    public struct Connection: Sendable {
        /// The data frames (text, binary, continuation) in arrival order, one array per socket
        /// read. Ends when the socket closes; iterate it once.
        public let inbound: NIOAsyncChannelInboundStream<[WebSocketFrame]>
        fileprivate let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
        fileprivate let allocator: ByteBufferAllocator
        fileprivate let closeRecord: WebSocketCloseRecord

        /// Sends one text message as one masked frame.
        public func send(text: String) async throws {
            try await outbound.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: allocator.buffer(string: text)))
        }

        /// The server's close frame, once one arrived.
        public var serverClose: WebSocketServerClose? { closeRecord.serverClose }
    }

    private enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<[WebSocketFrame], WebSocketFrame>)
        case notUpgraded(any Channel)

        var channel: any Channel {
            switch self {
            case .websocket(let asyncChannel): asyncChannel.channel
            case .notUpgraded(let channel): channel
            }
        }
    }

    /// `upgraded`, failed with `handshakeTimeout` and its channel closed when it has not completed
    /// `timeout` after the connect. An upgrade that completes after that is closed.
    private static func bounded(_ upgraded: EventLoopFuture<Upgrade>, on channel: any Channel, by timeout: Duration,
                                url: String) -> EventLoopFuture<Upgrade> {
        let result = channel.eventLoop.makePromise(of: Upgrade.self)
        let settled = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            guard !settled.value else { return }
            settled.value = true
            result.fail(WebSocketSessionError(.handshakeTimeout, url: url,
                                              "connected, but no websocket upgrade (TLS and HTTP) within \(timeout)"))
            channel.close(promise: nil)
        }
        upgraded.whenComplete { outcome in
            deadline.cancel()
            guard !settled.value else {
                if case .success(let late) = outcome { late.channel.close(promise: nil) }
                return
            }
            settled.value = true
            result.completeWith(outcome)
        }
        return result.futureResult
    }

    /// Connects to `url` on `eventLoop`, upgrades to a websocket, and runs `body` with the
    /// session; when `body` returns or throws, says goodbye and closes the socket. Throws
    /// `WebSocketSessionError` when no session could be opened, else whatever `body` throws.
    public static func run<Value: Sendable>(url: String, configuration: Configuration = Configuration(),
                                            eventLoop: any EventLoop,
                                            _ body: (Connection) async throws -> Value) async throws -> Value {
        guard let parsed = URL(string: url), let target = ConnectionTarget(parsed, plain: "ws", secure: "wss") else {
            throw WebSocketSessionError(.invalidURL, url: url, "not an absolute ws:// or wss:// URL with a host")
        }
        let sslContext: NIOSSLContext?
        if target.secure {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.shutdownTimeout = TimeAmount(configuration.closeTimeout)
            tls.trustRoots = configuration.trustRoots
            do { sslContext = try NIOSSLContext(configuration: tls) } catch {
                throw WebSocketSessionError(.connect, url: url, "cannot set up TLS: \(error)")
            }
        } else {
            sslContext = nil
        }
        let closeRecord = WebSocketCloseRecord()
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: configuration.maxFrameSize) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(WebSocketFrameBatcher(closeRecord: closeRecord))
                return .websocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
            }
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestTarget)
        head.headers.add(name: "Host", value: target.hostHeader)
        let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(.notUpgraded(channel)) })
        let (readInterval, readAtSecondBoundaries) = (TimeAmount(configuration.readInterval), configuration.readAtSecondBoundaries)
        let handshakeTimeout = configuration.handshakeTimeout

        let upgrade: Upgrade
        do {
            let upgraded = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .connect(host: target.host, port: target.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        // First, nearest the socket: it must see every read request, TLS's included.
                        try pipeline.addHandler(WebSocketReadPacer(interval: readInterval, readAtSecondBoundaries: readAtSecondBoundaries))
                        if let sslContext {
                            try pipeline.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: target.serverName))
                        }
                        var http = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
                        http.leftOverBytesStrategy = .forwardBytes  // frames sent right after the 101
                        let upgraded = try pipeline.configureUpgradableHTTPClientPipeline(configuration: http)
                        return Self.bounded(upgraded, on: channel, by: handshakeTimeout, url: url)
                    }
                }
            upgrade = try await upgraded.get()
        } catch let error as WebSocketSessionError {
            throw error
        } catch {
            throw WebSocketSessionError(.connect, url: url, "cannot connect to \(target.host):\(target.port): \(error)")
        }

        switch upgrade {
        case .notUpgraded(let channel):
            channel.close(promise: nil)
            throw WebSocketSessionError(.upgradeRefused, url: url, "the server did not upgrade the connection to a websocket")
        case .websocket(let asyncChannel):
            let channel = asyncChannel.channel
            return try await asyncChannel.executeThenClose { inbound, outbound in
                let connection = Connection(inbound: inbound, outbound: outbound, allocator: channel.allocator, closeRecord: closeRecord)
                let outcome: Result<Value, any Error>
                do { outcome = .success(try await body(connection)) } catch { outcome = .failure(error) }
                if closeRecord.serverClose == nil {
                    // Goodbye first, then `executeThenClose` closes the socket. Not awaited: a
                    // peer that stopped reading must not hold the session open.
                    var status = channel.allocator.buffer(capacity: 2)
                    status.write(webSocketErrorCode: .normalClosure)
                    channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: status), promise: nil)
                }
                return try outcome.get()
            }
        }
    }
}
