/// A JSON value that keeps what `JSONSerialization` loses: the order of object members and the exact
/// text of numbers (`116999.99` stays `116999.99`, never a binary float). Used where an external
/// document is stored or re-emitted as received (the raw Kalshi market JSON, the legacy
/// `latest_market_snapshot.json`).
///
/// Not `indirect`: arrays and objects already hold their elements in an array's heap buffer, so a
/// string or number value needs no box of its own (one allocation fewer per value, which counts
/// when a page of a thousand candlesticks is parsed).
public enum OrderedJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as its JSON text (`"12"`, `"-0.5"`, `"1e3"`).
    case number(String)
    case string(String)
    case array([OrderedJSON])
    /// Members in document order. Duplicate keys are kept as sent; `self[key]` returns the last one,
    /// like most JSON readers.
    case object([Member])

    /// One object member.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: OrderedJSON
        public init(_ key: String, _ value: OrderedJSON) {
            self.key = key
            self.value = value
        }
    }

    /// The member `key` of an object (`nil` for a missing key or a non-object).
    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number text, if this is a number.
    public var numberText: String? {
        if case .number(let s) = self { return s }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [OrderedJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Whether this is JSON `null`.
    public var isNull: Bool { self == .null }

    /// The JSON type name for messages (`string`, `number`, `object`...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Parses one complete JSON document (UTF-8). Throws `OrderedJSONError`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(OrderedJSONError) -> OrderedJSON {
        var parser = OrderedJSONParser(Array(bytes))
        return try parser.parseDocument()
    }

    /// Compact text: no spaces, members in order, numbers as received.
    public var compactText: String {
        var out = ""
        OrderedJSONPrinter.write(self, indent: nil, level: 0, to: &out)
        return out
    }

    /// Indented text in the layout of Python's `json.dump(..., indent=2)` (`", "` between members on
    /// separate lines, `": "` after keys), which the legacy files used.
    public func indentedText(indent: Int = 2) -> String {
        var out = ""
        OrderedJSONPrinter.write(self, indent: indent, level: 0, to: &out)
        return out
    }
}
