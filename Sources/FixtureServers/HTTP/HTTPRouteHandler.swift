import Foundation
import NIOCore
import NIOHTTP1

/// Answers plain HTTP requests from the fixture's route table (and any request whose websocket
/// upgrade was refused).
final class HTTPRouteHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: FixtureCore
    private var head: HTTPRequestHead?

    init(core: FixtureCore) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = String(parts[0])
            let query = parts.count > 1 ? String(parts[1]) : ""
            var headers: [String: String] = [:]
            for (k, v) in head.headers { headers[k.lowercased()] = v }
            let request = HTTPFixtureRequest(method: head.method.rawValue, path: path, query: query, headers: headers)
            let arrival = Date().timeIntervalSince1970
            core.state.withLock {
                if $0.recordRequests {
                    $0.requests.append(request)
                    $0.requestArrivals.append(arrival)
                }
            }
            let response = core.respond(to: request)
            let keepAlive = head.isKeepAlive
            let channel = context.channel
            let write: @Sendable () -> Void = {
                Self.write(response, keepAlive: keepAlive, version: head.version, on: channel)
            }
            if let delay = response.delay {
                let nanos = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
                context.eventLoop.scheduleTask(in: .nanoseconds(nanos), write)
            } else {
                write()
            }
        }
    }

    private static func write(_ response: HTTPFixtureResponse, keepAlive: Bool, version: HTTPVersion, on channel: any Channel) {
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: response.body))), promise: nil)
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
    }
}
