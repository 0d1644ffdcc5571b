/// A forward-only reader over the bytes of one JSON document, for decoders of bulk lists (a page of
/// a thousand candlesticks) that read the members they know of each object straight from the bytes
/// instead of building an `OrderedJSON` tree. It is the `OrderedJSON` parser driven one token at a
/// time (same strict grammar, same `OrderedJSONError`s, same depth limit); any value can still be
/// read as a tree (`value()`), and `skipValue()` checks a value's syntax without building anything.
///
/// Usage: `enterObject()`, then `while let name = try nextMember() { ... read or skip the value ... }`;
/// `enterArray()`, then `while try nextElement() { ... }`.
public struct JSONByteReader {
    private var parser: OrderedJSONParser
    /// Per open object or array: whether an element was read already (a `,` is due before the next).
    private var started: [Bool] = []

    /// A reader at the start of `bytes` (a UTF-8 byte order mark is skipped, as by `OrderedJSON.parse`).
    public init(_ bytes: [UInt8]) {
        parser = OrderedJSONParser(bytes)
        parser.skipByteOrderMark()
    }

    /// A reader over the same bytes positioned at `offset` (the start of a value found with
    /// `skipValue()`), sharing the buffer.
    public func reader(at offset: Int) -> JSONByteReader {
        var other = self
        other.parser.i = offset
        other.started = []
        return other
    }

    /// Where the next byte is read.
    public var offset: Int { parser.i }

    /// What the next value is.
    public enum Kind: Sendable, Equatable { case object, array, string, number, bool, null }

    /// The kind of the next value (white space skipped); a syntax error for anything else.
    public mutating func peek() throws(OrderedJSONError) -> Kind {
        parser.skipSpace()
        switch try parser.peek() {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), 48...57: return .number
        default: throw parser.syntax("unexpected character")
        }
    }

    /// Enters the object that comes next.
    public mutating func enterObject() throws(OrderedJSONError) {
        guard try peek() == .object else { throw parser.syntax("expected an object") }
        try parser.enter()
        parser.i += 1
        started.append(false)
    }

    /// Enters the array that comes next.
    public mutating func enterArray() throws(OrderedJSONError) {
        guard try peek() == .array else { throw parser.syntax("expected an array") }
        try parser.enter()
        parser.i += 1
        started.append(false)
    }

    /// Moves past the `,` before the next element of the open object or array, or past its
    /// closing bracket (then `false`).
    private mutating func advance(closing: UInt8) throws(OrderedJSONError) -> Bool {
        parser.skipSpace()
        let c = try parser.peek()
        if c == closing {
            parser.i += 1
            parser.depth -= 1
            started.removeLast()
            return false
        }
        if started[started.count - 1] {
            guard c == UInt8(ascii: ",") else { throw parser.syntax(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'") }
            parser.i += 1
            parser.skipSpace()
        }
        started[started.count - 1] = true
        return true
    }

    /// The next member of the open object: the byte range of its name as written (between the
    /// quotes) and whether the name holds an escape (then the range is not the name's text);
    /// the reader is then at the member's value, which must be read or skipped. `nil` after the
    /// last member (the object is closed).
    public mutating func nextMember() throws(OrderedJSONError) -> (name: Range<Int>, escaped: Bool)? {
        guard try advance(closing: UInt8(ascii: "}")) else { return nil }
        guard try parser.peek() == UInt8(ascii: "\"") else { throw parser.syntax("expected a member name") }
        let name = try parser.skipString()
        parser.skipSpace()
        guard try parser.peek() == UInt8(ascii: ":") else { throw parser.syntax("expected ':'") }
        parser.i += 1
        return (name.text, name.escaped)
    }

    /// Whether the open array has another element (the reader is then at it); `false` after the
    /// last one (the array is closed).
    public mutating func nextElement() throws(OrderedJSONError) -> Bool {
        try advance(closing: UInt8(ascii: "]"))
    }

    /// Skips the next value, checking its syntax (strings' UTF-8 included) and building nothing.
    /// Returns its byte range.
    @discardableResult
    public mutating func skipValue() throws(OrderedJSONError) -> Range<Int> {
        parser.skipSpace()
        let start = parser.i
        try parser.skipValue()
        return start..<parser.i
    }

    /// The next value if it is a string without escapes: the byte range of its text. `nil` (nothing
    /// read) for any other value.
    public mutating func rawString() throws(OrderedJSONError) -> Range<Int>? {
        guard try peek() == .string else { return nil }
        let start = parser.i
        let s = try parser.skipString()
        if s.escaped { parser.i = start; return nil }
        return s.text
    }

    /// The next value if it is a number: the byte range of its text. `nil` (nothing read) otherwise.
    public mutating func numberText() throws(OrderedJSONError) -> Range<Int>? {
        guard try peek() == .number else { return nil }
        let start = parser.i
        try parser.skipNumber()
        return start..<parser.i
    }

    /// A member's scalar value read in place: what the bulk decoders keep of a member before
    /// parsing its text into a record field.
    public enum Scalar: Sendable, Equatable {
        /// The member was not there (the decoders' starting value).
        case missing
        case null
        /// A string without escapes: the byte range of its text.
        case string(Range<Int>)
        /// A number: the byte range of its text.
        case number(Range<Int>)

        /// The text of a string or a number.
        public var text: Range<Int>? {
            switch self {
            case .string(let range), .number(let range): return range
            case .missing, .null: return nil
            }
        }
    }

    /// The next value if it is `null`, a string without escapes or a number; `nil` (nothing read)
    /// for any other value.
    public mutating func scalar() throws(OrderedJSONError) -> Scalar? {
        switch try peek() {
        case .null:
            try skipValue()
            return .null
        case .string:
            return try rawString().map(Scalar.string)
        case .number:
            return try numberText().map(Scalar.number)
        default:
            return nil
        }
    }

    /// The next value as a tree.
    public mutating func value() throws(OrderedJSONError) -> OrderedJSON {
        parser.skipSpace()
        return try parser.parseValue()
    }

    /// Checks that nothing but white space follows the document's value.
    public mutating func finish() throws(OrderedJSONError) {
        parser.skipSpace()
        guard parser.i == parser.bytes.count else { throw parser.syntax("unexpected text after the document") }
    }

    /// Whether the bytes at `range` are exactly `text` (a member name compared without making a String).
    public func bytes(_ range: Range<Int>, equal text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        return parser.bytes.withUnsafeBufferPointer { all in
            for k in 0..<range.count where all[range.lowerBound + k] != expected[k] { return false }
            return true
        }
    }

    /// Calls `body` with the bytes at `range`.
    public func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try parser.bytes.withUnsafeBufferPointer { all in try body(UnsafeBufferPointer(rebasing: all[range])) }
    }

    /// The bytes at `range` (a string's text read with `rawString()`) as a `String`.
    public func string(_ range: Range<Int>) -> String {
        parser.string(range.lowerBound, range.upperBound)
    }

    /// The bytes at `range`, for an excerpt or a tree parse of one value.
    public func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { parser.bytes[range] }
}
