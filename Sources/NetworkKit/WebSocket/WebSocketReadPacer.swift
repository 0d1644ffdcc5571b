import Foundation
import NIOCore

/// Spaces a channel's socket reads at least `interval` apart, so one wake-up of the event loop reads
/// every message that arrived meanwhile instead of waking once per message.
///
/// At a thousand small messages a second, the fixed cost of each wake-up (sleeping in and waking
/// from `epoll_wait`, one `read`, the frame decoder's and the async hand-over's per-call work) was
/// about two thirds of btc-price-watchdog's CPU; the bytes themselves cost little. This handler sits
/// first in the pipeline (nearest the socket, before TLS), so it sees every read request: NIO's
/// automatic read after each read, TLS's own, and the async channel's demand. A request that comes
/// sooner than `interval` after the last read completed is deferred to that instant (one deferred read
/// at a time; later requests join it); a later one passes at once. While no read is requested NIO
/// stops watching the socket, so messages wait in the kernel's buffer, in order, and nothing is lost.
/// A message therefore waits at most about `interval` longer than it would have.
///
/// With `readAtSecondBoundaries`, a deferred read is also never later than the next whole UTC second
/// (by the system clock): whatever arrived before a second ended is read right after it ends, so a
/// per-second sampler need only wait for that read, not for a whole interval.
///
/// Not `Sendable`: it lives on its channel's event loop, like every channel handler.
final class WebSocketReadPacer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let interval: TimeAmount
    private let readAtSecondBoundaries: Bool
    /// When the last read cycle ended (`channelReadComplete`).
    private var lastReadEnded = NIODeadline.distantPast
    private var deferred: Scheduled<Void>?

    init(interval: TimeAmount, readAtSecondBoundaries: Bool) {
        self.interval = interval
        self.readAtSecondBoundaries = readAtSecondBoundaries
    }

    func read(context: ChannelHandlerContext) {
        guard deferred == nil else { return }  // the deferred read will serve this request too
        let now = NIODeadline.now()
        var due = lastReadEnded + interval
        if readAtSecondBoundaries {
            let wall = Date().timeIntervalSince1970
            due = min(due, now + .nanoseconds(Int64((wall.rounded(.down) + 1 - wall) * 1e9)))
        }
        guard interval > .zero, now < due else {
            context.read()
            return
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deferred = context.eventLoop.scheduleTask(deadline: due) {
            let (pacer, context) = bound.value
            pacer.deferred = nil
            context.read()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lastReadEnded = .now()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeferred()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelDeferred() }

    private func cancelDeferred() {
        deferred?.cancel()
        deferred = nil
    }
}
