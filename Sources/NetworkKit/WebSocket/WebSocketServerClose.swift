import Synchronization

/// The close frame a server sent: its status code (absent when the frame carried none) and reason.
public struct WebSocketServerClose: Sendable, Hashable, CustomStringConvertible {
    public var code: UInt16?
    public var reason: String

    public init(code: UInt16?, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `1001: going away`, `1000`, or `no status code`.
    public var description: String {
        let status = code.map { "\($0)" } ?? "no status code"
        return reason.isEmpty ? status : "\(status): \(reason)"
    }
}

/// Where the channel's frame handler leaves the server's close for the session's owner.
/// `Sendable` through its `Mutex`.
final class WebSocketCloseRecord: Sendable {
    private let close = Mutex<WebSocketServerClose?>(nil)

    func received(_ frame: WebSocketServerClose) { close.withLock { $0 = frame } }

    var serverClose: WebSocketServerClose? { close.withLock { $0 } }
}
