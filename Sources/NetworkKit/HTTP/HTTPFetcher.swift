import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// HTTP/1.1 `GET`s over SwiftNIO, for the daemons' REST calls (Coinbase, Kraken, Kalshi).
///
/// The daemons used `URLSession` before; on Linux that is FoundationNetworking over libcurl, whose
/// libraries (curl, its TLS and HTTP/2 stacks) and threads are loaded into the process (merely
/// linking it adds ~6 MiB to a trivial binary, creating a session ~7 MiB more; the daemons' RSS
/// fell by 7 MiB for btc-price-watchdog and 3 MiB for kalshi-api-watchdog without it). NIO is
/// already in the process for the websocket.
///
/// One connection per request (`Connection: close`): the callers poll once a second or less, and
/// a fresh connection cannot go stale between polls. `timeout` bounds the whole exchange (connect,
/// TLS, response); the calling task's cancellation ends it at once. Bodies are read whole, up to
/// `maxBodyBytes`; chunked and close-delimited bodies are decoded by NIO's HTTP parser, and a
/// connection that closes before the body is complete is an error, never a short body.
public final class HTTPFetcher: Sendable {
    /// The process-wide fetcher (one TLS context, NIO's shared event loops).
    public static let shared = HTTPFetcher()

    /// Largest body accepted.
    public let maxBodyBytes: Int
    private let group: any EventLoopGroup
    /// Built on the first `https` request (it loads the system's trust roots).
    private let tlsContext = Mutex<NIOSSLContext?>(nil)

    public init(maxBodyBytes: Int = 32 << 20, eventLoopGroup: any EventLoopGroup = DaemonEventLoop.group) {
        self.maxBodyBytes = maxBodyBytes
        self.group = eventLoopGroup
    }

    /// `GET url` with `headers` (plus `Host`, `Connection: close`); the complete response,
    /// whatever its status.
    public func get(_ url: URL, headers: [(String, String)] = [], timeout: Duration) async throws(HTTPFetchError) -> HTTPFetchResponse {
        let text = url.absoluteString
        guard let target = ConnectionTarget(url, plain: "http", secure: "https") else {
            throw HTTPFetchError(.invalidURL, url: text, "not an absolute http(s) URL with a host")
        }
        let (host, port, secure) = (target.host, target.port, target.secure)
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestTarget)
        head.headers.add(name: "Host", value: target.hostHeader)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Connection", value: "close")
        let request = head

        let tls: NIOSSLContext?
        if secure {
            do { tls = try sslContext() } catch {
                throw HTTPFetchError(.transport, url: text, "cannot set up TLS: \(error)")
            }
        } else {
            tls = nil
        }
        let serverName = target.serverName

        let loop = group.next()
        let exchange = HTTPFetchExchange(loop: loop, url: text)
        let nanoseconds = max(1, Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let timer = loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            exchange.finish(.failure(HTTPFetchError(.timeout, url: text, "no complete response within \(timeout)")))
        }
        let maxBody = maxBodyBytes
        ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(nanoseconds))
            .channelInitializer { channel in
                do {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPFetchHandler(exchange: exchange, request: request, maxBodyBytes: maxBody))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel): exchange.attach(channel)
                case .failure(let error): exchange.finish(.failure(HTTPFetchError(.transport, url: text, "cannot connect to \(host):\(port): \(error)")))
                }
            }
        let result = await withTaskCancellationHandler {
            await exchange.result()
        } onCancel: {
            loop.execute { exchange.finish(.failure(HTTPFetchError(.cancelled, url: text, "cancelled"))) }
        }
        timer.cancel()
        return try result.get()
    }

    private func sslContext() throws -> NIOSSLContext {
        try tlsContext.withLock { cached in
            if let cached { return cached }
            let context = try NIOSSLContext(configuration: .makeClientConfiguration())
            cached = context
            return context
        }
    }
}
