/// A PostgreSQL name this code puts into SQL text (a schema, table or column): only plain
/// lower-case identifiers `^[a-z_][a-z0-9_]{0,62}$` are accepted, and they are always written
/// double-quoted, so a name from configuration can never change the meaning of a statement.
public struct PostgresIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The name as PostgreSQL stores it (`user_0001`).
    public let name: String

    /// Validates `name`. Throws `PostgresError(.invalidConfiguration)` naming the rule.
    public init(_ name: String) throws {
        guard Self.isPlain(name) else {
            throw PostgresError(.invalidConfiguration,
                                message: "\"\(name)\" is not a plain PostgreSQL identifier: use 1 to 63 characters from a-z, 0-9 and _, not starting with a digit")
        }
        self.name = name
    }

    private init(unchecked name: String) {
        self.name = name
    }

    /// The default per-user schema, `user_0001`.
    public static let defaultSchema = PostgresIdentifier(unchecked: "user_0001")

    /// The name double-quoted for SQL text (`"user_0001"`).
    public var quoted: String { "\"\(name)\"" }

    public var description: String { name }

    /// Whether `name` matches `^[a-z_][a-z0-9_]{0,62}$`.
    public static func isPlain(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63 else { return false }
        func isLetter(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || b == 0x5F }
        guard isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || (0x30...0x39).contains($0) }
    }

    /// `"schema"."table"`.
    public static func qualified(_ schema: PostgresIdentifier, _ table: PostgresIdentifier) -> String {
        "\(schema.quoted).\(table.quoted)"
    }

    /// A derived internal name (letters, digits, `_` only), cut to PostgreSQL's 63 bytes and quoted.
    static func quotedTruncated(_ name: String) -> String {
        "\"\(String(decoding: name.utf8.prefix(63), as: UTF8.self))\""
    }

    /// A stable 64-bit advisory-lock key for a purpose and a set of names (FNV-1a of the text), so
    /// every process computes the same key without asking the server.
    static func advisoryLockKey(_ parts: String...) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ("recio." + parts.joined(separator: ".")).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(Int64(bitPattern: hash))
    }
}
