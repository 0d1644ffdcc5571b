import NIOCore
import NIOWebSocket

/// Sits after NIO's websocket frame decoder on a client channel: answers the control frames and
/// hands the data frames of one socket read on as one array, so the reading task is resumed once
/// per read instead of once per frame (with `WebSocketReadPacer`, once per read interval).
///
/// - A ping is answered with a pong carrying its payload; a pong is dropped.
/// - A close from the server is recorded (`WebSocketServerClose`), answered with a close carrying
///   its status code (RFC 6455 §5.5.1), and the socket is closed once the answer is written; the
///   inbound stream then ends.
/// - Text, binary and continuation frames pass on untouched, in order; joining fragments is the
///   reader's business.
///
/// Every frame it writes is masked with a fresh random key, as a client must (RFC 6455 §5.3).
/// Not `Sendable`: it lives on its channel's event loop.
final class WebSocketFrameBatcher: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = [WebSocketFrame]
    typealias OutboundOut = WebSocketFrame

    private let closeRecord: WebSocketCloseRecord
    private var batch: [WebSocketFrame] = []

    init(closeRecord: WebSocketCloseRecord) { self.closeRecord = closeRecord }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            batch.append(frame)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var payload = frame.unmaskedData
            let code = payload.readWebSocketErrorCode()
            let reason = payload.readString(length: payload.readableBytes) ?? ""
            closeRecord.received(WebSocketServerClose(code: code.map(UInt16.init(webSocketErrorCode:)), reason: reason))
            var reply = context.channel.allocator.buffer(capacity: 2)
            if let code { reply.write(webSocketErrorCode: code) }
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)))
                .whenComplete { _ in channel.close(promise: nil) }
        default:
            break  // pong, and nothing else: the decoder rejects reserved opcodes
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliver(context: context)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deliver(context: context)
        context.fireChannelInactive()
    }

    private func deliver(context: ChannelHandlerContext) {
        guard !batch.isEmpty else { return }
        let frames = batch
        batch.removeAll(keepingCapacity: true)
        context.fireChannelRead(wrapInboundOut(frames))
    }
}
