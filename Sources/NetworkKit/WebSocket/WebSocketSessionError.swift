/// A websocket session that could not be opened: which URL, and why. The description is what an
/// operator reads in the journal.
public struct WebSocketSessionError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Open set, like `ServiceGroupError.Code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not an absolute `ws`/`wss` URL with a host.
        public static let invalidURL = Code("invalidURL")
        /// TCP connect or TLS failed.
        public static let connect = Code("connect")
        /// Connected, but the TLS handshake and the upgrade did not finish within `handshakeTimeout`.
        public static let handshakeTimeout = Code("handshakeTimeout")
        /// The server answered the HTTP upgrade request with something other than a websocket.
        public static let upgradeRefused = Code("upgradeRefused")
    }

    public var code: Code
    /// The URL asked for.
    public var url: String
    public var message: String

    public init(_ code: Code, url: String, _ message: String) {
        self.code = code
        self.url = url
        self.message = message
    }

    public var description: String { "websocket \(url): \(message)" }
}
