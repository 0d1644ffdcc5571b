/// A position inside a config document: a value plus its JSON path. Reading through it is strict:
/// every accessor names the path and the expected type in its error, and `finish()` rejects the keys
/// of an object nobody asked for.
public final class ConfigNode {
    public let value: JSONValue
    public let path: String
    public let file: String
    private var consumed: Set<String> = []

    public init(value: JSONValue, path: String = "$", file: String) {
        self.value = value
        self.path = path
        self.file = file
    }

    /// Raises an error located at this node.
    public func error(_ code: ConfigError.Code, _ message: String) -> ConfigError {
        ConfigError(code, file: file, path: path, message)
    }

    func child(_ key: String, _ value: JSONValue) -> ConfigNode {
        let isPlain = key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        return ConfigNode(value: value, path: isPlain ? "\(path).\(key)" : "\(path)[\"\(key)\"]", file: file)
    }

    func object() throws -> [String: JSONValue] {
        guard case .object(let o) = value else { throw error(.wrongType, "expected an object, found \(value.typeName)") }
        return o
    }

    /// The member `key`; throws `missingKey` when absent.
    public func required(_ key: String) throws -> ConfigNode {
        let o = try object()
        consumed.insert(key)
        guard let v = o[key] else { throw error(.missingKey, "missing required key \"\(key)\"") }
        return child(key, v)
    }

    /// The member `key`, or `nil` when absent or JSON null.
    public func optional(_ key: String) throws -> ConfigNode? {
        let o = try object()
        consumed.insert(key)
        guard let v = o[key], v != .null else { return nil }
        return child(key, v)
    }

    /// Every member, for maps whose keys are data (service names).
    public func members() throws -> [(String, ConfigNode)] {
        let o = try object()
        return o.keys.sorted().map { key in
            consumed.insert(key)
            return (key, child(key, o[key]!))
        }
    }

    /// Throws `unknownKey` for any member that was never read: a typo must not be silently ignored.
    public func finish(allowed: [String]? = nil) throws {
        let o = try object()
        let unknown = o.keys.filter { !consumed.contains($0) }.sorted()
        if let key = unknown.first {
            let known = (allowed ?? consumed.sorted()).joined(separator: ", ")
            throw child(key, o[key]!).error(.unknownKey, "unknown key \"\(key)\" (known keys here: \(known))")
        }
    }

    public func string() throws -> String {
        guard case .string(let s) = value else { throw error(.wrongType, "expected a string, found \(value.typeName)") }
        return s
    }

    public func nonEmptyString() throws -> String {
        let s = try string()
        guard !s.isEmpty else { throw error(.invalidValue, "must not be empty") }
        return s
    }

    public func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw error(.wrongType, "expected true or false, found \(value.typeName)") }
        return b
    }

    public func integer(in range: ClosedRange<Int64>? = nil) throws -> Int64 {
        guard case .integer(let i) = value else { throw error(.wrongType, "expected an integer, found \(value.typeName)") }
        if let range, !range.contains(i) {
            throw error(.invalidValue, "expected an integer in \(range.lowerBound)...\(range.upperBound), found \(i)")
        }
        return i
    }

    public func number(in range: ClosedRange<Double>? = nil) throws -> Double {
        let d: Double
        switch value {
        case .integer(let i): d = Double(i)
        case .number(let n): d = n
        default: throw error(.wrongType, "expected a number, found \(value.typeName)")
        }
        if let range, !range.contains(d) {
            throw error(.invalidValue, "expected a number in \(range.lowerBound)...\(range.upperBound), found \(d)")
        }
        return d
    }

    public func array() throws -> [ConfigNode] {
        guard case .array(let a) = value else { throw error(.wrongType, "expected an array, found \(value.typeName)") }
        return a.enumerated().map { ConfigNode(value: $0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    /// An absolute filesystem path (daemons run with `/` as their working directory under systemd,
    /// so a relative path would silently point somewhere else).
    public func absolutePath() throws -> String {
        let s = try nonEmptyString()
        guard s.hasPrefix("/") else { throw error(.invalidValue, "expected an absolute path, found \"\(s)\"") }
        return s
    }

    /// One of a fixed set of strings.
    public func oneOf<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let s = try string()
        guard let v = T(rawValue: s) else {
            let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw error(.invalidValue, "expected one of \(names), found \"\(s)\"")
        }
        return v
    }
}
