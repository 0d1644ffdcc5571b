/// A GET that produced no usable response: which URL, and why. The description is what an
/// operator reads in the journal.
public struct HTTPFetchError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Open set, like `ServiceGroupError.Code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not an absolute `http`/`https` URL with a host.
        public static let invalidURL = Code("invalidURL")
        /// No complete response within the request's timeout.
        public static let timeout = Code("timeout")
        /// Connecting, TLS, or the connection failed or closed before the response was complete.
        public static let transport = Code("transport")
        /// The body is larger than the fetcher accepts.
        public static let tooLarge = Code("tooLarge")
        /// The calling task was cancelled.
        public static let cancelled = Code("cancelled")
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

    public var description: String { "GET \(url): \(message)" }
}
