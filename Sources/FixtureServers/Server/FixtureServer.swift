import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A scriptable local server on 127.0.0.1 for tests and benchmarks: one port speaking both the
/// Coinbase Exchange websocket protocol (any path, upgrade requested) and plain HTTP JSON from a
/// generic route table (method + path + query → status, headers, body, optional delay).
///
/// Behaviour changes apply immediately, also to open connections (`setMode`, `setRoute`,
/// `setHTTPStatusOverride`, `send`). It is a `final class` over `Sendable` state (`FixtureCore`
/// behind a `Mutex`, and NIO channels), so it is `Sendable` as is.
public final class FixtureServer: Sendable {
    private let core: FixtureCore
    private let channel: any Channel
    private let logger: Logger
    /// The bound port (the OS picks one when started with port 0).
    public let port: Int

    private init(core: FixtureCore, channel: any Channel, port: Int, logger: Logger) {
        self.core = core
        self.channel = channel
        self.port = port
        self.logger = logger
    }

    /// Binds and starts serving. `port: 0` lets the OS choose; read it back from `port`. With
    /// `tls`, every connection is TLS first (`wss://`, `https://`; see `secureWebSocketURL`).
    public static func start(host: String = "127.0.0.1", port: Int = 0, script: TickerScript = TickerScript(),
                             tls: NIOSSLContext? = nil,
                             logger: Logger = Logger(label: "fixture-server")) async throws -> FixtureServer {
        let core = FixtureCore(script: script)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 20,
                    shouldUpgrade: { channel, _ in
                        let refuse = core.state.withLock { $0.mode == .refuseUpgrade }
                        return channel.eventLoop.makeSucceededFuture(refuse ? nil : HTTPHeaders())
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(CoinbaseWebSocketHandler(core: core))
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                            context.pipeline.removeHandler(name: "fixture-http", promise: nil)
                        }))
                    try channel.pipeline.syncOperations.addHandler(HTTPRouteHandler(core: core), name: "fixture-http")
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        guard let bound = channel.localAddress?.port else {
            try? await channel.close()
            throw FixtureServerError(description: "fixture server bound to \(host):\(port) but reports no port")
        }
        logger.debug("fixture server listening", metadata: ["fixture.port": .stringConvertible(bound)])
        return FixtureServer(core: core, channel: channel, port: bound, logger: logger)
    }

    /// Closes the listener and every open connection.
    public func shutdown() async {
        let open = core.state.withLock { Array($0.channels.values) }
        for c in open { try? await c.close() }
        try? await channel.close()
    }

    /// `ws://127.0.0.1:PORT/`.
    public var webSocketURL: String { "ws://127.0.0.1:\(port)/" }
    /// `wss://localhost:PORT/`, for a server started with `tls` (a name, for SNI and the
    /// certificate check).
    public var secureWebSocketURL: String { "wss://localhost:\(port)/" }
    /// `http://127.0.0.1:PORT`.
    public var httpBaseURL: String { "http://127.0.0.1:\(port)" }

    // MARK: HTTP

    /// Sets (or replaces) what a route answers.
    public func setRoute(_ route: HTTPFixtureRoute, _ response: HTTPFixtureResponse) {
        core.state.withLock { $0.routes[route] = response }
    }

    /// Installs a function that answers requests before the route table (return `nil` to fall
    /// through to the routes); `nil` removes it.
    public func setResponder(_ responder: (@Sendable (HTTPFixtureRequest) -> HTTPFixtureResponse?)?) {
        core.state.withLock { $0.responder = responder }
    }

    /// Stops recording requests (long benchmarks) or starts again; clears the log either way.
    public func setRecordsRequests(_ record: Bool) {
        core.state.withLock {
            $0.recordRequests = record
            $0.requests.removeAll()
            $0.requestArrivals.removeAll()
        }
    }

    /// Removes a route (it answers 404 again).
    public func removeRoute(_ route: HTTPFixtureRoute) {
        _ = core.state.withLock { $0.routes.removeValue(forKey: route) }
    }

    /// Forces every HTTP answer to `status` (with a short JSON body); `nil` restores the routes.
    public func setHTTPStatusOverride(_ status: Int?) {
        core.state.withLock { $0.statusOverride = status }
    }

    /// Every HTTP request received so far, in order.
    public var requests: [HTTPFixtureRequest] { core.state.withLock { $0.requests } }

    /// When each request of `requests` was received in full (Unix time, seconds; the wall clock the
    /// daemon and PostgreSQL use), taken on the event loop as it arrived: benchmarks pair it with a
    /// commit time without watching the log.
    public var requestArrivals: [Double] { core.state.withLock { $0.requestArrivals } }

    // MARK: Websocket

    /// Changes the websocket behaviour now. `.closeAbruptly` also drops the open connections.
    public func setMode(_ mode: WebSocketFixtureMode) {
        let drop = core.state.withLock { s -> [any Channel] in
            s.mode = mode
            return mode == .closeAbruptly ? Array(s.channels.values) : []
        }
        for c in drop { c.close(promise: nil) }
    }

    /// The current websocket mode.
    public var mode: WebSocketFixtureMode { core.state.withLock { $0.mode } }

    /// Replaces the ticker script (prices, rates) for streams started from now on; trade ids and
    /// sequences continue.
    public func setScript(_ script: TickerScript) {
        core.state.withLock { s in
            s.script = script
            s.priceIndex = 0
        }
    }

    /// Sends a raw text frame to every open websocket connection (malformed JSON, error frames,
    /// hand-made tickers).
    public func send(_ text: String) {
        let open = core.state.withLock { Array($0.channels.values) }
        for c in open { CoinbaseWebSocketHandler.send(text, on: c) }
    }

    /// Sends `text` to every open websocket connection split into `fragments` frames (a text frame
    /// and continuation frames), as the protocol allows any message to be.
    public func sendFrames(text: String, fragments: Int) {
        sendFrames(Array(text.utf8), opcode: .text, fragments: fragments)
    }

    /// Sends a binary message to every open websocket connection, in `fragments` frames.
    public func sendFrames(binary: [UInt8], fragments: Int) {
        sendFrames(binary, opcode: .binary, fragments: fragments)
    }

    /// Sends one continuation frame outside any message (a protocol error the client must handle).
    public func sendContinuationFrame(_ bytes: [UInt8]) {
        let open = core.state.withLock { Array($0.channels.values) }
        for c in open {
            c.writeAndFlush(WebSocketFrame(fin: true, opcode: .continuation, data: c.allocator.buffer(bytes: bytes)), promise: nil)
        }
    }

    private func sendFrames(_ bytes: [UInt8], opcode: WebSocketOpcode, fragments: Int) {
        let count = max(1, min(fragments, bytes.count))
        let size = (bytes.count + count - 1) / count
        let open = core.state.withLock { Array($0.channels.values) }
        for c in open {
            var start = 0
            while start < bytes.count || start == 0 {
                let end = min(bytes.count, start + size)
                let frame = WebSocketFrame(fin: end == bytes.count, opcode: start == 0 ? opcode : .continuation,
                                           data: c.allocator.buffer(bytes: bytes[start..<end]))
                c.writeAndFlush(frame, promise: nil)
                start = end
                if bytes.isEmpty { break }
            }
        }
    }

    /// Sends a ping carrying `payload` to every open websocket connection (the pongs are in `receivedPongs`).
    public func sendPing(_ payload: [UInt8]) {
        let open = core.state.withLock { Array($0.channels.values) }
        for c in open {
            c.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: c.allocator.buffer(bytes: payload)), promise: nil)
        }
    }

    /// Sends a close frame with `code` and `reason` to every open websocket connection; the
    /// connection closes when the client answers.
    public func sendClose(code: UInt16, reason: String) {
        let open = core.state.withLock { Array($0.channels.values) }
        for c in open {
            var data = c.allocator.buffer(capacity: 2 + reason.utf8.count)
            data.write(webSocketErrorCode: WebSocketErrorCode(codeNumber: Int(code)))
            data.writeString(reason)
            c.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data), promise: nil)
        }
    }

    /// Drops every open websocket connection without a close frame; the mode is unchanged.
    public func dropConnections() {
        let open = core.state.withLock { Array($0.channels.values) }
        for c in open { c.close(promise: nil) }
    }

    /// Text frames received from clients, in order (subscribe messages).
    public var receivedTexts: [String] { core.state.withLock { $0.receivedTexts } }
    /// Payloads of the pongs clients sent, in order.
    public var receivedPongs: [[UInt8]] { core.state.withLock { $0.receivedPongs } }
    /// Status codes of the close frames clients sent, in order (`nil`: a close without a code).
    public var receivedCloseCodes: [UInt16?] { core.state.withLock { $0.receivedCloseCodes } }
    /// Frames clients sent without a mask (a client must mask every frame).
    public var unmaskedClientFrames: Int { core.state.withLock { $0.unmaskedClientFrames } }
    /// Websocket connections currently open.
    public var openConnections: Int { core.state.withLock { $0.channels.count } }
    /// Websocket connections accepted since start.
    public var acceptedConnections: Int { core.state.withLock { $0.acceptedConnections } }
}

/// The fixture server could not start.
public struct FixtureServerError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
