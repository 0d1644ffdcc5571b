/// Encodes rows into PostgreSQL `COPY ... FROM STDIN` text format into one reusable byte buffer.
///
/// Text format: columns separated by a tab, rows ended by a newline, SQL NULL written `\N`, and in
/// values a backslash, tab, newline and carriage return written as `\\`, `\t`, `\n`, `\r` (the
/// only bytes that would otherwise be read as structure). A NUL byte cannot be sent at all.
///
/// A mapping's `encodeCopy` writes a row field by field (`field`, `null`, `timestamp`, `cents`)
/// and ends it with `endRow()`; the typed fields format straight into the buffer, so a price tick
/// costs no allocation at all.
public struct PostgresCopyEncoder {
    private(set) var bytes: [UInt8] = []
    /// Whether the next field is the first of its row (no tab before it).
    private var atRowStart = true

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    /// Drops the encoded bytes, keeping the buffer's storage.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        atRowStart = true
    }

    /// Appends one row of text values (`nil` is NULL). Throws `PostgresError(.copyFailed)` for a value containing a NUL byte.
    mutating func append(_ row: [String?]) throws {
        for value in row {
            if let value { try field(value) } else { null() }
        }
        endRow()
    }

    private mutating func separate() {
        if !atRowStart { bytes.append(0x09) }
        atRowStart = false
    }

    /// SQL NULL.
    public mutating func null() {
        separate()
        bytes.append(0x5C)  // \N
        bytes.append(0x4E)
    }

    /// A text value, escaped. Throws `PostgresError(.copyFailed)` for a value containing a NUL byte.
    public mutating func field(_ value: String) throws {
        separate()
        var text = value
        let ok = text.withUTF8 { utf8 -> Bool in
            // Most values (timestamps, prices, tickers) need no escaping: copy them in one go.
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

    /// A `timestamptz` as `YYYY-MM-DD HH:MM:SS+00` (UTC), the form `UTCTime.postgresText` returns.
    public mutating func timestamp(epochSeconds: Int64) {
        let civil = CivilDateTime(epochSeconds: epochSeconds)
        guard (0...9999).contains(civil.year) else {
            // Out of the four-digit range: the general formatter (never hit by validated records).
            try? field(UTCTime.postgresText(epochSeconds: epochSeconds))
            return
        }
        separate()
        digits(civil.year, 4); bytes.append(UInt8(ascii: "-"))
        digits(civil.month, 2); bytes.append(UInt8(ascii: "-"))
        digits(civil.day, 2); bytes.append(UInt8(ascii: " "))
        digits(civil.hour, 2); bytes.append(UInt8(ascii: ":"))
        digits(civil.minute, 2); bytes.append(UInt8(ascii: ":"))
        digits(civil.second, 2)
        bytes.append(UInt8(ascii: "+")); bytes.append(UInt8(ascii: "0")); bytes.append(UInt8(ascii: "0"))
    }

    /// An exact amount of cents as a decimal with two places (`6412345` → `64123.45`), the form `USDCents.description` returns.
    public mutating func cents(_ cents: Int64) {
        separate()
        if cents < 0 { bytes.append(UInt8(ascii: "-")) }
        let m = cents.magnitude
        var whole = m / 100
        // Integer part, most significant digit first (at most 17 digits).
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let n = withUnsafeMutableBytes(of: &scratch) { d -> Int in
            var k = 0
            repeat { d[k] = UInt8(48 + whole % 10); whole /= 10; k += 1 } while whole > 0
            return k
        }
        withUnsafeBytes(of: &scratch) { d in
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[i]) }
        }
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(48 + (m % 100) / 10))
        bytes.append(UInt8(48 + m % 10))
    }

    /// An exact fixed-point amount of `10^-scale` units with exactly `scale` decimals (`1200`, 4 →
    /// `0.1200`), the form `DollarAmount`/`ContractCount.description` return.
    public mutating func fixedPoint(_ units: Int64, scale: Int) {
        separate()
        if units < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = units.magnitude
        // Digits least significant first into a scratch buffer, then reversed (at most 20 digits).
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let n = withUnsafeMutableBytes(of: &scratch) { d -> Int in
            var k = 0
            repeat { d[k] = UInt8(48 + m % 10); m /= 10; k += 1 } while m > 0 || k <= scale
            return k
        }
        withUnsafeBytes(of: &scratch) { d in
            for i in stride(from: n - 1, through: 0, by: -1) {
                if i == scale - 1 { bytes.append(UInt8(ascii: ".")) }
                bytes.append(d[i])
            }
        }
    }

    /// An integer (`60`).
    public mutating func integer(_ value: Int64) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = value.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let n = withUnsafeMutableBytes(of: &scratch) { d -> Int in
            var k = 0
            repeat { d[k] = UInt8(48 + m % 10); m /= 10; k += 1 } while m > 0
            return k
        }
        withUnsafeBytes(of: &scratch) { d in
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[i]) }
        }
    }

    /// Ends the row.
    public mutating func endRow() {
        bytes.append(0x0A)
        atRowStart = true
    }

    private mutating func digits(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            bytes.append(UInt8(48 + (v / divisor) % 10))
            v %= divisor
            divisor /= 10
        }
    }
}
