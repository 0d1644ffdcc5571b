/// One journal entry as an ordered list of fields, and its encoding in journald's native protocol
/// (`systemd.journal-fields(7)`, "Native Journal Protocol"): `NAME=value\n` for single-line values;
/// for values containing a newline, `NAME\n`, the value's length as a little-endian 64-bit integer,
/// the raw value and `\n`.
public struct JournalEntry: Sendable, Hashable {
    /// One `NAME=value` pair. Names must already be valid journald field names.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var fields: [Field]

    public init(fields: [Field]) { self.fields = fields }

    /// The value of the first field called `name`.
    public subscript(name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The datagram journald's native socket expects for this entry.
    public func nativeEncoding() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 10 })
        for field in fields {
            bytes.append(contentsOf: field.name.utf8)
            if field.value.utf8.contains(UInt8(ascii: "\n")) {
                bytes.append(UInt8(ascii: "\n"))
                var length = UInt64(field.value.utf8.count).littleEndian
                withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: field.value.utf8)
            } else {
                bytes.append(UInt8(ascii: "="))
                bytes.append(contentsOf: field.value.utf8)
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }
}
