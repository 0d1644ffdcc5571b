import NIOCore
import NIOWebSocket

/// Joins a websocket message's data frames (a text or binary frame, then continuation frames up to
/// the one with `fin`) and hands a text message back as its bytes, not a `String`: an unfragmented
/// message (every Coinbase message so far) is the frame's own buffer, not copied; fragments are
/// joined into one buffer. Binary messages are read and dropped (the feed has no use for them).
struct WebSocketMessageAssembler {
    /// Largest message accepted, in bytes (the session limits a single frame by its `maxFrameSize`).
    let maxSize: Int
    /// The fragments so far of the message being joined, if one is.
    private var joined: ByteBuffer?
    private var joinedIsText = false

    init(maxSize: Int) { self.maxSize = maxSize }

    /// The text message `frame` completes, if any. A frame out of sequence (a continuation
    /// outside a message, a new message before the last one ended) or a message over `maxSize`
    /// ends the session: it throws, and the feed reconnects.
    mutating func append(_ frame: WebSocketFrame) throws(PriceFeedError) -> ByteBuffer? {
        switch frame.opcode {
        case .text, .binary:
            guard joined == nil else { throw Self.failure("a new message began before the previous one's last fragment") }
            if frame.fin { return frame.opcode == .text ? frame.unmaskedData : nil }
            joined = frame.unmaskedData
            joinedIsText = frame.opcode == .text
            return nil
        case .continuation:
            guard var message = joined else { throw Self.failure("a continuation frame arrived outside a message") }
            joined = nil  // one reference while appending, so the buffer grows in place
            guard message.readableBytes + frame.data.readableBytes <= maxSize else {
                throw Self.failure("a fragmented message is larger than \(maxSize) bytes")
            }
            var data = frame.unmaskedData
            message.writeBuffer(&data)
            guard frame.fin else {
                joined = message
                return nil
            }
            return joinedIsText ? message : nil
        default:
            return nil  // control frames are answered by the session and never reach here
        }
    }

    private static func failure(_ why: String) -> PriceFeedError {
        PriceFeedError(.transport, subject: "coinbase websocket", "websocket protocol error: \(why)")
    }
}
