/// A document `OrderedJSON.parse` could not read: where, and why. `code` tells a truncated document
/// (it ended inside a value: a cut-off HTTP body) from any other syntax error.
public struct OrderedJSONError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// The text ended before the document was complete.
        public static let truncated = Code("truncated")
        /// Anything else that is not JSON (an HTML page, a stray character, bad escapes).
        public static let syntax = Code("syntax")
    }

    public var code: Code
    /// Byte offset of the problem.
    public var offset: Int
    public var message: String

    public init(_ code: Code, offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { "JSON \(code) at byte \(offset): \(message)" }
}
