/// Maps swift-log metadata keys (dotted in code: `writer.name`, `lag-ms`) to journald field names
/// (`WRITER_NAME`, `LAG_MS`): uppercase, only `[A-Z0-9_]`, at most 64 bytes, never starting with
/// `_` (journald reserves those for trusted fields) or a digit (journald rejects those).
public enum JournalFieldName {
    /// The longest field name journald accepts.
    public static let maximumLength = 64

    /// Fields the handler itself writes; metadata that maps onto one of them gets a `META_` prefix
    /// instead of overriding or duplicating it.
    public static let reserved: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "ERROR", "LOGGER",
    ]

    /// The journald field name for a metadata key, or `nil` if nothing usable is left
    /// (for example a key made only of underscores).
    public static func forMetadataKey(_ key: String) -> String? {
        var name = ""
        name.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): name.unicodeScalars.append(Unicode.Scalar(byte - 32))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                name.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                // `.`, `-`, spaces and every byte of a non-ASCII character become one `_` each.
                name.append("_")
            }
        }
        while name.hasPrefix("_") { name.removeFirst() }
        guard let first = name.first else { return nil }
        if first.isASCII && first.isNumber { name = "F_" + name }
        if reserved.contains(name) { name = "META_" + name }
        if name.utf8.count > maximumLength { name = String(name.prefix(maximumLength)) }
        return name
    }
}
