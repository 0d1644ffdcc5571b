/// Encodes rows into PostgreSQL `COPY ... FROM STDIN` text format into one reusable byte buffer.
///
/// Text format: columns separated by a tab, rows ended by a newline, SQL NULL written `\N`, and in
/// values a backslash, tab, newline and carriage return written as `\\`, `\t`, `\n`, `\r` (the
/// only bytes that would otherwise be read as structure). A NUL byte cannot be sent at all.
struct PostgresCopyEncoder {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    /// Drops the encoded bytes, keeping the buffer's storage.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Appends one row. Throws `PostgresError(.copyFailed)` for a value containing a NUL byte.
    mutating func append(_ row: [String?]) throws {
        var first = true
        for value in row {
            if !first { bytes.append(0x09) }
            first = false
            guard var text = value else {
                bytes.append(0x5C)  // \N
                bytes.append(0x4E)
                continue
            }
            let ok = text.withUTF8 { utf8 -> Bool in
                // Most values (timestamps, prices) need no escaping: copy them in one go.
                if !utf8.contains(where: { $0 == 0x5C || $0 <= 0x0D }) {
                    bytes.append(contentsOf: utf8)
                    return true
                }
                for byte in utf8 {
                    switch byte {
                    case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                    case 0x09: bytes.append(0x5C); bytes.append(0x74)
                    case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
                    case 0x0D: bytes.append(0x5C); bytes.append(0x72)
                    case 0x00: return false
                    default: bytes.append(byte)
                    }
                }
                return true
            }
            guard ok else {
                throw PostgresError(.copyFailed, message: "a value contains a NUL byte, which PostgreSQL text cannot store")
            }
        }
        bytes.append(0x0A)
    }
}
