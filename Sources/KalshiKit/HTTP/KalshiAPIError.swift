import Foundation

/// A Kalshi request that produced nothing usable: what kind of failure, where, the HTTP status and
/// the first bytes of the body. Nothing from a failed request is ever written.
public struct KalshiAPIError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Open set, like `ServiceGroupError.Code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Connection refused or reset, DNS, TLS: retried with backoff.
        public static let transport = Code("transport")
        /// No complete response within the request timeout: retried with backoff.
        public static let timeout = Code("timeout")
        /// A status the client does not accept (5xx after the retries, 4xx other than 404 and 429).
        public static let httpStatus = Code("http_status")
        /// 429 still answered after the retries (each one waited for `Retry-After`).
        public static let rateLimited = Code("rate_limited")
        /// 404: the resource (an event) does not exist (yet, or any more).
        public static let notFound = Code("not_found")
        /// The body is not JSON at all (an HTML error page from a proxy, an empty body).
        public static let notJSON = Code("not_json")
        /// The body starts as JSON but ends inside a value (a cut-off response).
        public static let truncatedJSON = Code("truncated_json")
        /// Valid JSON carrying an `error` object instead of the expected document.
        public static let apiError = Code("api_error")
        /// Valid JSON, but not the documented shape (a required member missing, wrong type).
        public static let unexpectedShape = Code("unexpected_shape")
        /// The request hook (signing) failed.
        public static let requestHook = Code("request_hook")
    }

    public var code: Code
    /// The request (`GET /events/KXBTCD-25AUG0817`).
    public var request: String
    public var message: String
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// At most 200 characters of the body, for the journal.
    public var excerpt: String?

    public init(_ code: Code, request: String, _ message: String, status: Int? = nil, excerpt: String? = nil) {
        self.code = code
        self.request = request
        self.message = message
        self.status = status
        self.excerpt = excerpt
    }

    /// Whether another attempt may succeed (transport failures, timeouts, 5xx, 429).
    public var isRetryable: Bool {
        switch code {
        case .transport, .timeout, .rateLimited: return true
        case .httpStatus: return (status ?? 0) >= 500
        default: return false
        }
    }

    /// At most `limit` characters of a body, newlines flattened, for error reports.
    public static func excerpt(of data: some Collection<UInt8>, limit: Int = 200) -> String {
        let text = String(decoding: data.prefix(limit * 4), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    public var description: String {
        var s = "Kalshi \(code) for \(request): \(message)"
        if let status { s += " (HTTP \(status))" }
        if let excerpt, !excerpt.isEmpty { s += " body: \(excerpt)" }
        return s
    }
}
