import Foundation
import NIOCore
import NIOWebSocket

/// One fixture websocket connection speaking the Coinbase Exchange protocol: records every text
/// frame, answers a `subscribe` with `subscriptions`, then streams the script's tickers (and
/// heartbeats) while the mode is `.streaming`. Lives on its channel's event loop.
final class CoinbaseWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let core: FixtureCore
    private var id: Int?
    private var subscribed = false
    private var tickerTask: RepeatedTask?
    private var heartbeatTask: RepeatedTask?

    init(core: FixtureCore) { self.core = core }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let mode = core.state.withLock { s -> WebSocketFixtureMode in
            id = s.nextChannelId
            s.nextChannelId += 1
            s.channels[id!] = channel
            s.acceptedConnections += 1
            return s.mode
        }
        if mode == .closeAbruptly { context.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tickerTask?.cancel()
        heartbeatTask?.cancel()
        if let id { _ = core.state.withLock { $0.channels.removeValue(forKey: id) } }
    }

    func channelInactive(context: ChannelHandlerContext) {
        tickerTask?.cancel()
        heartbeatTask?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.maskKey == nil { core.state.withLock { $0.unmaskedClientFrames += 1 } }
        switch frame.opcode {
        case .text:
            var buffer = frame.unmaskedData
            let text = buffer.readString(length: buffer.readableBytes) ?? ""
            core.state.withLock { $0.receivedTexts.append(text) }
            if text.contains(#""type":"subscribe""#), !subscribed {
                subscribed = true
                startStreaming(context: context)
            }
        case .connectionClose:
            var data = frame.unmaskedData
            let received = data.readWebSocketErrorCode()
            core.state.withLock { $0.receivedCloseCodes.append(received.map(UInt16.init(webSocketErrorCode:))) }
            let code = received ?? .normalClosure
            var reply = context.channel.allocator.buffer(capacity: 2)
            reply.write(webSocketErrorCode: code)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
                .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        case .pong:
            core.state.withLock { $0.receivedPongs.append(Array(buffer: frame.unmaskedData)) }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)),
                                  promise: nil)
        default:
            break
        }
    }

    private func startStreaming(context: ChannelHandlerContext) {
        let channel = context.channel
        let core = self.core
        let (script, mode) = core.state.withLock { ($0.script, $0.mode) }
        if mode != .silent {
            Self.send(CoinbasePayloads.subscriptions(productId: script.productId), on: channel)
        }
        tickerTask = context.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: Self.timeAmount(script.interval)) { _ in
            guard core.state.withLock({ $0.mode }) == .streaming else { return }
            Self.send(core.nextTicker(now: Self.nowMicros()), on: channel)
        }
        if let interval = script.heartbeatInterval {
            heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: Self.timeAmount(interval), delay: Self.timeAmount(interval)) { _ in
                guard core.state.withLock({ $0.mode }) == .streaming else { return }
                Self.send(core.nextHeartbeat(now: Self.nowMicros()), on: channel)
            }
        }
    }

    static func send(_ text: String, on channel: any Channel) {
        let buffer = channel.allocator.buffer(string: text)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: buffer), promise: nil)
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        .nanoseconds(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
    }

    static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}
