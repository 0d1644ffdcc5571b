/// Encodes rows for `COPY ... FROM STDIN` into one reusable byte buffer, in text or binary format.
///
/// Text format: columns separated by a tab, rows ended by a newline, SQL NULL written `\N`, and in
/// values a backslash, tab, newline and carriage return written as `\\`, `\t`, `\n`, `\r` (the
/// only bytes that would otherwise be read as structure). A NUL byte cannot be sent at all.
///
/// Binary format (PostgreSQL's `FORMAT binary`): a signature header, then per row a 16-bit field
/// count and per field a 32-bit length (-1 for NULL) and the type's binary value, then a -1 trailer.
/// The server then skips parsing text: a `timestamptz` is 8 bytes of microseconds, a `numeric` a
/// few base-10000 digits. Only the typed writers know their column's binary form, so a mapping
/// opts in (`PostgresMapping.copyFormat`) only when its `encodeCopy` writes every column with the
/// writer of its SQL type: `timestamp` for `timestamptz`, `cents` for `numeric`, `field` for `text`.
///
/// A mapping's `encodeCopy` writes a row field by field (`field`, `null`, `timestamp`, `cents`)
/// and ends it with `endRow()`; the typed fields format straight into the buffer, so a price tick
/// costs no allocation at all.
public struct PostgresCopyEncoder {
    /// The COPY data format (`FORMAT text` or `FORMAT binary` in the COPY statement).
    public enum Format: Sendable, Equatable {
        case text
        case binary
    }

    public let format: Format
    private(set) var bytes: [UInt8] = []
    /// Whether the next field is the first of its row (no tab before it; in binary, the field count goes first).
    private var atRowStart = true
    /// Binary: where the current row's field count is, and how many fields it has so far.
    private var rowCountOffset = 0
    private var rowFields: Int16 = 0

    init(capacity: Int, format: Format = .text) {
        self.format = format
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    /// Drops the encoded bytes, keeping the buffer's storage. Only between rows.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        atRowStart = true
    }

    /// What the stream starts with: binary's signature, flags and header extension; nothing in text.
    mutating func beginStream() {
        guard format == .binary else { return }
        bytes.append(contentsOf: [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00])  // PGCOPY\n\377\r\n\0
        int32(0)  // flags: no OIDs
        int32(0)  // header extension length
    }

    /// What the stream ends with: binary's -1 field-count trailer; nothing in text.
    mutating func endStream() {
        guard format == .binary else { return }
        int16(-1)
    }

    /// Appends one row of text values (`nil` is NULL). Text format only (in binary, a value's
    /// bytes depend on its column's type). Throws `PostgresError(.copyFailed)` for a value containing a NUL byte.
    mutating func append(_ row: [String?]) throws {
        precondition(format == .text, "string rows are encoded as COPY text only")
        for value in row {
            if let value { try field(value) } else { null() }
        }
        endRow()
    }

    private mutating func separate() {
        if format == .binary {
            if atRowStart {
                rowCountOffset = bytes.count
                rowFields = 0
                int16(0)  // the field count, filled in by endRow()
            }
            rowFields += 1
        } else if !atRowStart {
            bytes.append(0x09)
        }
        atRowStart = false
    }

    /// SQL NULL.
    public mutating func null() {
        separate()
        if format == .binary { int32(-1); return }
        bytes.append(0x5C)  // \N
        bytes.append(0x4E)
    }

    /// A text value, escaped. Throws `PostgresError(.copyFailed)` for a value containing a NUL byte.
    public mutating func field(_ value: String) throws {
        separate()
        var text = value
        if format == .binary {
            // A text column's binary form is its UTF-8 bytes, unescaped.
            let ok = text.withUTF8 { utf8 -> Bool in
                guard !utf8.contains(0), let length = Int32(exactly: utf8.count) else { return false }
                int32(length)
                bytes.append(contentsOf: utf8)
                return true
            }
            guard ok else {
                throw PostgresError(.copyFailed, message: "a value contains a NUL byte (which PostgreSQL text cannot store) or is over 2 GiB")
            }
            return
        }
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
    /// In binary, microseconds since 2000-01-01 00:00:00 UTC; a second too far out for that is
    /// sent as a value the server refuses ("timestamp out of range"), never as another time.
    public mutating func timestamp(epochSeconds: Int64) {
        if format == .binary {
            separate()
            int32(8)
            let (shifted, o1) = epochSeconds.subtractingReportingOverflow(Self.postgresEpochOffset)
            let (micros, o2) = shifted.multipliedReportingOverflow(by: 1_000_000)
            // Int64.max and .min are +/-infinity to PostgreSQL; one less is out of its range.
            int64(o1 || o2 ? (epochSeconds < 0 ? Int64.min + 1 : Int64.max - 1) : micros)
            return
        }
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
    /// In binary, a `numeric` with display scale 2: base-10000 digits, most significant first.
    public mutating func cents(_ cents: Int64) {
        separate()
        if format == .binary { binaryNumeric(cents: cents); return }
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
        if format == .binary {
            let fields = UInt16(bitPattern: rowFields)
            bytes[rowCountOffset] = UInt8(truncatingIfNeeded: fields >> 8)
            bytes[rowCountOffset + 1] = UInt8(truncatingIfNeeded: fields)
        } else {
            bytes.append(0x0A)
        }
        atRowStart = true
    }

    /// Seconds from 1970-01-01 (Unix) to 2000-01-01 (PostgreSQL's timestamp epoch).
    static let postgresEpochOffset: Int64 = 946_684_800

    /// `numeric` binary: length, then ndigits, weight (base-10000 exponent of the first digit),
    /// sign (0 or 0x4000), display scale, and the base-10000 digits most significant first.
    /// Zero digits at the end of the integer part are sent as they are (the server strips them).
    private mutating func binaryNumeric(cents: Int64) {
        let m = cents.magnitude
        let whole = m / 100
        let fraction = Int16(m % 100) * 100  // .45 is the base-10000 digit 4500
        var wholeDigits = 0
        var top: UInt64 = 1  // 10000^(wholeDigits - 1)
        if whole > 0 {
            wholeDigits = 1
            while whole / top >= 10_000 { top *= 10_000; wholeDigits += 1 }
        }
        let count = wholeDigits + (fraction != 0 ? 1 : 0)
        int32(Int32(8 + 2 * count))
        int16(Int16(count))
        int16(wholeDigits > 0 ? Int16(wholeDigits - 1) : (fraction != 0 ? -1 : 0))
        int16(cents < 0 ? 0x4000 : 0)
        int16(2)
        var rest = whole
        var unit = top
        for _ in 0..<wholeDigits {
            int16(Int16(rest / unit))
            rest %= unit
            unit /= 10_000
        }
        if fraction != 0 { int16(fraction) }
    }

    private mutating func int16(_ value: Int16) {
        let v = UInt16(bitPattern: value)
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    private mutating func int32(_ value: Int32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func int64(_ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
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
