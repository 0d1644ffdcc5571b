import NIOCore
import NIOHTTP1

/// The last handler of a fetch's pipeline: sends the request once connected, collects the
/// response, and completes the exchange with it, or with the error that ended the connection.
final class HTTPFetchHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let exchange: HTTPFetchExchange
    private let request: HTTPRequestHead
    private let maxBodyBytes: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(exchange: HTTPFetchExchange, request: HTTPRequestHead, maxBodyBytes: Int) {
        self.exchange = exchange
        self.request = request
        self.maxBodyBytes = maxBodyBytes
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            // An informational (1xx) head precedes the real one.
            guard h.status.code >= 200 else { return }
            head = h
            body.removeAll(keepingCapacity: true)
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= maxBodyBytes else {
                exchange.finish(.failure(HTTPFetchError(.tooLarge, url: exchange.url, "response body larger than \(maxBodyBytes) bytes")))
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            exchange.finish(.success(HTTPFetchResponse(
                status: Int(head.status.code), headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        exchange.finish(.failure(HTTPFetchError(.transport, url: exchange.url, "connection failed: \(error)")))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange.finish(.failure(HTTPFetchError(.transport, url: exchange.url, "connection closed before the response was complete")))
        context.fireChannelInactive()
    }
}
