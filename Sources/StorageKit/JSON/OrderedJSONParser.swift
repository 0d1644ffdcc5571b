/// A strict RFC 8259 parser producing `OrderedJSON` (one document, no trailing text, depth ≤ 512).
/// `JSONByteReader` drives the same parser token by token (its members are internal for that).
struct OrderedJSONParser {
    let bytes: [UInt8]
    var i = 0
    var depth = 0
    static let maxDepth = 512

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(OrderedJSONError) -> OrderedJSON {
        skipByteOrderMark()
        skipSpace()
        let value = try parseValue()
        skipSpace()
        guard i == bytes.count else { throw syntax("unexpected text after the document") }
        return value
    }

    /// A UTF-8 byte order mark at the start is tolerated.
    mutating func skipByteOrderMark() {
        if i == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    func syntax(_ message: String) -> OrderedJSONError { OrderedJSONError(.syntax, offset: i, message) }
    private func truncated() -> OrderedJSONError { OrderedJSONError(.truncated, offset: i, "the document ends inside a value") }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    func peek() throws(OrderedJSONError) -> UInt8 {
        guard i < bytes.count else { throw truncated() }
        return bytes[i]
    }

    private mutating func expect(_ literal: String, _ value: OrderedJSON) throws(OrderedJSONError) -> OrderedJSON {
        for c in literal.utf8 {
            guard i < bytes.count else { throw truncated() }
            guard bytes[i] == c else { throw syntax("expected \(literal)") }
            i += 1
        }
        return value
    }

    mutating func parseValue() throws(OrderedJSONError) -> OrderedJSON {
        switch try peek() {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), 48...57: return .number(try parseNumber())
        default: throw syntax("unexpected character '\(Unicode.Scalar(bytes[i]))'")
        }
    }

    mutating func enter() throws(OrderedJSONError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw syntax("nested deeper than \(Self.maxDepth)") }
    }

    private mutating func parseObject() throws(OrderedJSONError) -> OrderedJSON {
        try enter()
        defer { depth -= 1 }
        i += 1
        var members: [OrderedJSON.Member] = []
        skipSpace()
        if try peek() == UInt8(ascii: "}") {
            i += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard try peek() == UInt8(ascii: "\"") else { throw syntax("expected a member name") }
            let key = try parseString()
            skipSpace()
            guard try peek() == UInt8(ascii: ":") else { throw syntax("expected ':'") }
            i += 1
            skipSpace()
            members.append(.init(key, try parseValue()))
            skipSpace()
            let c = try peek()
            i += 1
            if c == UInt8(ascii: "}") { return .object(members) }
            guard c == UInt8(ascii: ",") else { i -= 1; throw syntax("expected ',' or '}'") }
        }
    }

    private mutating func parseArray() throws(OrderedJSONError) -> OrderedJSON {
        try enter()
        defer { depth -= 1 }
        i += 1
        var items: [OrderedJSON] = []
        skipSpace()
        if try peek() == UInt8(ascii: "]") {
            i += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try parseValue())
            skipSpace()
            let c = try peek()
            i += 1
            if c == UInt8(ascii: "]") { return .array(items) }
            guard c == UInt8(ascii: ",") else { i -= 1; throw syntax("expected ',' or ']'") }
        }
    }

    private mutating func parseNumber() throws(OrderedJSONError) -> String {
        let start = i
        try skipNumber()
        return asciiString(start, i)
    }

    /// Moves past a number, checking its grammar.
    mutating func skipNumber() throws(OrderedJSONError) {
        func digits(_ p: inout OrderedJSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, p.bytes[p.i] >= 48, p.bytes[p.i] <= 57 { p.i += 1 }
            return p.i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count else { throw truncated() }
        if bytes[i] == 48 {
            i += 1
        } else if digits(&self) == 0 {
            throw syntax("expected a digit")
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count else { throw truncated() }
            guard digits(&self) > 0 else { throw syntax("expected a digit after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count else { throw truncated() }
            guard digits(&self) > 0 else { throw syntax("expected a digit in the exponent") }
        }
    }

    /// `bytes[start..<end]`, valid UTF-8 (checked by `skipString`), as a String.
    func string(_ start: Int, _ end: Int) -> String {
        bytes.withUnsafeBufferPointer { all in
            let text = UnsafeBufferPointer(rebasing: all[start..<end])
            if text.allSatisfy({ $0 < 0x80 }) { return asciiString(start, end) }
            return String(decoding: text, as: UTF8.self)
        }
    }

    /// Moves `i` (just past a string's opening quote) over the text that needs no decoding, up to
    /// the first quote, backslash or control byte; whether that text is all ASCII.
    @inline(__always)
    private mutating func scanUnescapedText() -> Bool {
        var ascii = true
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 {
            if bytes[i] >= 0x80 { ascii = false }
            i += 1
        }
        return ascii
    }

    /// The bytes `start..<end` as a `String`, which must be valid UTF-8.
    private func validatedString(_ start: Int, _ end: Int) throws(OrderedJSONError) -> String {
        let s = bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
        guard let s else { throw syntax("a string is not valid UTF-8") }
        return s
    }

    /// Moves past the string at `i` (at its opening quote), checking it as `parseString` does,
    /// without building it: the range of its text between the quotes, and whether it holds an
    /// escape (then the range is the text as written, not the string).
    mutating func skipString() throws(OrderedJSONError) -> (text: Range<Int>, escaped: Bool) {
        let quote = i
        i += 1
        let start = i
        let ascii = scanUnescapedText()
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            let end = i
            i += 1
            if !ascii { _ = try validatedString(start, end) }
            return (start..<end, false)
        }
        // An escape (or an error): the full parser checks it.
        i = quote
        _ = try parseString()
        return (start..<(i - 1), true)
    }

    /// Moves past one value (white space before it skipped by the caller), checking it as
    /// `parseValue` does, without building anything.
    mutating func skipValue() throws(OrderedJSONError) {
        switch try peek() {
        case UInt8(ascii: "{"):
            try enter()
            defer { depth -= 1 }
            i += 1
            skipSpace()
            if try peek() == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipSpace()
                guard try peek() == UInt8(ascii: "\"") else { throw syntax("expected a member name") }
                _ = try skipString()
                skipSpace()
                guard try peek() == UInt8(ascii: ":") else { throw syntax("expected ':'") }
                i += 1
                skipSpace()
                try skipValue()
                skipSpace()
                let c = try peek()
                i += 1
                if c == UInt8(ascii: "}") { return }
                guard c == UInt8(ascii: ",") else { i -= 1; throw syntax("expected ',' or '}'") }
            }
        case UInt8(ascii: "["):
            try enter()
            defer { depth -= 1 }
            i += 1
            skipSpace()
            if try peek() == UInt8(ascii: "]") { i += 1; return }
            while true {
                skipSpace()
                try skipValue()
                skipSpace()
                let c = try peek()
                i += 1
                if c == UInt8(ascii: "]") { return }
                guard c == UInt8(ascii: ",") else { i -= 1; throw syntax("expected ',' or ']'") }
            }
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "-"), 48...57: try skipNumber()
        default: _ = try parseValue()  // true, false, null (or the syntax error)
        }
    }

    /// `bytes[start..<end]`, known to be ASCII, as a String: copied, not validated again.
    private func asciiString(_ start: Int, _ end: Int) -> String {
        bytes.withUnsafeBufferPointer { all in
            let text = UnsafeBufferPointer(rebasing: all[start..<end])
            return String(unsafeUninitializedCapacity: text.count) { out in
                _ = out.initialize(fromContentsOf: text)
                return text.count
            }
        }
    }

    mutating func parseString() throws(OrderedJSONError) -> String {
        i += 1
        // Fast path: most strings have no escape, so the text between the quotes is the string
        // itself (one validation, no byte-by-byte copy).
        let start = i
        let ascii = scanUnescapedText()
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            let end = i
            i += 1
            // ASCII (keys, tickers, decimals, times: nearly every string) is valid UTF-8 as is.
            if ascii { return asciiString(start, end) }
            return try validatedString(start, end)
        }
        var out: [UInt8] = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw truncated() }
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else { throw syntax("a string is not valid UTF-8") }
                return s
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { throw truncated() }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard i + 1 < bytes.count else { throw truncated() }
                        guard bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { throw syntax("lone surrogate") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw syntax("bad surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw syntax("lone surrogate")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw syntax("bad \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw syntax("bad escape")
                }
            case 0..<0x20:
                i -= 1
                throw syntax("control character in a string")
            default:
                out.append(c)
            }
        }
    }

    private mutating func hex4() throws(OrderedJSONError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count else { throw truncated() }
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw syntax("bad \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
