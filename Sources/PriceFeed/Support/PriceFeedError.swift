import Foundation

/// A failure of the price feed's network side: a message or response that cannot be used, or a
/// transport that failed. The description is what an operator reads in the journal.
public struct PriceFeedError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Open set, like `ServiceGroupError.Code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }

        /// The text is not JSON, or not the JSON shape the exchange documents.
        public static let malformedMessage = Code(raw: "malformedMessage")
        /// A price that is not a positive finite decimal.
        public static let invalidPrice = Code(raw: "invalidPrice")
        /// A message for another product than the one subscribed to.
        public static let wrongProduct = Code(raw: "wrongProduct")
        /// An HTTP response with a non-2xx status.
        public static let httpStatus = Code(raw: "httpStatus")
        /// The connection failed, timed out, or closed.
        public static let transport = Code(raw: "transport")
        /// The exchange reported an error inside a well-formed response (Kraken `error`, Coinbase `error`).
        public static let exchangeError = Code(raw: "exchangeError")
        /// Not enough data to compute what was asked (e.g. fewer than 25 OHLC candles).
        public static let insufficientData = Code(raw: "insufficientData")
    }

    public var code: Code
    /// Where it happened: a URL, or the feed name.
    public var subject: String
    /// Human-readable detail.
    public var message: String
    /// HTTP status for `.httpStatus`.
    public var status: Int?
    /// The first bytes of the offending body or message (at most 200 characters), for the journal.
    public var excerpt: String?

    public init(_ code: Code, subject: String, _ message: String, status: Int? = nil, excerpt: String? = nil) {
        self.code = code
        self.subject = subject
        self.message = message
        self.status = status
        self.excerpt = excerpt
    }

    /// At most `limit` characters of `data` as text, for error reports.
    static func excerpt(of data: some Collection<UInt8>, limit: Int = 200) -> String {
        let text = String(decoding: data.prefix(limit * 4), as: UTF8.self)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    public var description: String {
        var s = "price feed \(code) at \(subject): \(message)"
        if let status { s += " (HTTP \(status))" }
        if let excerpt, !excerpt.isEmpty { s += " body: \(excerpt)" }
        return s
    }
}
