import Foundation

/// The order-independent checksum parity compares between stores.
///
/// Each price row is encoded canonically as the ASCII text `"<UTC epoch seconds>|<price>"`,
/// the price with exactly two decimals (`"1730524800|64123.45"`) — the same bytes whichever store
/// the row came from. A row's hash is the first 8 bytes of the MD5 of that text, read big-endian;
/// a segment's checksum is the count of rows and the sum of their hashes modulo 2^64. PostgreSQL
/// computes exactly this inside the server (`md5`, `('x' || left(..., 16))::bit(64)::bigint`,
/// `sum`), so only one number per segment crosses the network.
public enum CanonicalRowHash {
    /// The hash of one row.
    public static func hash(second: Int64, cents: Int64) -> UInt64 {
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &buffer) { raw -> UInt64 in
            let n = encode(second: second, cents: cents, into: raw)
            return MD5.first8BytesBigEndian(raw, length: n)
        }
    }

    /// The canonical text of one row (for reports and tests).
    public static func text(second: Int64, cents: Int64) -> String {
        "\(second)|\(USDText.format(cents))"
    }

    /// Writes the canonical text into `out` (at least 48 bytes), returns its length.
    static func encode(second: Int64, cents: Int64, into out: UnsafeMutableRawBufferPointer) -> Int {
        var n = 0
        n = appendDecimal(second, into: out, at: n)
        out[n] = UInt8(ascii: "|"); n += 1
        var c = cents
        if c < 0 { out[n] = UInt8(ascii: "-"); n += 1; c = -c }
        n = appendDecimal(c / 100, into: out, at: n)
        out[n] = UInt8(ascii: "."); n += 1
        out[n] = UInt8(48 + (c % 100) / 10); n += 1
        out[n] = UInt8(48 + c % 10); n += 1
        return n
    }

    private static func appendDecimal(_ value: Int64, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        var v = value < 0 ? UInt64(-value) : UInt64(value)
        var n = start
        if value < 0 { out[n] = UInt8(ascii: "-"); n += 1 }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let count = withUnsafeMutableBytes(of: &digits) { d -> Int in
            var k = 0
            repeat { d[k] = UInt8(48 + v % 10); v /= 10; k += 1 } while v > 0
            return k
        }
        withUnsafeBytes(of: &digits) { d in
            for i in stride(from: count - 1, through: 0, by: -1) { out[n] = d[i]; n += 1 }
        }
        return n
    }
}

/// Exact decimal text of cents (`6412345` → `"64123.45"`), PostgreSQL's `numeric(14,2)` output.
enum USDText {
    static func format(_ cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let m = cents.magnitude
        return "\(sign)\(m / 100)." + (m % 100 < 10 ? "0" : "") + "\(m % 100)"
    }
}

/// One checksum of a set of rows: how many, and the sum of their hashes modulo 2^64.
public struct SegmentChecksum: Sendable, Hashable, Codable {
    public var count: Int
    public var hash: UInt64

    public init(count: Int = 0, hash: UInt64 = 0) {
        self.count = count
        self.hash = hash
    }

    public mutating func add(_ rowHash: UInt64) {
        count += 1
        hash &+= rowHash
    }

    /// Reads PostgreSQL's `sum(bigint)` (a `numeric`, possibly negative and wider than 64 bits)
    /// modulo 2^64.
    public static func wrappingSum(decimalText text: String) -> UInt64? {
        var negative = false
        var value: UInt64 = 0
        var sawDigit = false
        for (i, c) in text.utf8.enumerated() {
            if i == 0, c == UInt8(ascii: "-") { negative = true; continue }
            guard c >= 48, c <= 57 else { return nil }
            sawDigit = true
            value = value &* 10 &+ UInt64(c - 48)
        }
        guard sawDigit else { return nil }
        return negative ? 0 &- value : value
    }
}

/// MD5 (RFC 1321) of a short message, only as far as parity needs it: the first 8 bytes of the
/// digest. Not for security — it is what PostgreSQL's built-in `md5()` computes, so both sides can
/// hash the same bytes.
enum MD5 {
    private static let s: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                      5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                      4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                      6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    private static let k: [UInt32] = (0..<64).map { i in UInt32(truncatingIfNeeded: Int64(abs(sin(Double(i + 1))) * 4_294_967_296)) }

    /// MD5 of `message[0..<length]` (length ≤ 55, one block); returns digest bytes 0...7 big-endian.
    /// `message` must have room for 64 bytes; bytes past `length` are overwritten.
    static func first8BytesBigEndian(_ message: UnsafeMutableRawBufferPointer, length: Int) -> UInt64 {
        precondition(length <= 55 && message.count >= 64, "MD5 fast path takes one block")
        message[length] = 0x80
        for i in (length + 1)..<56 { message[i] = 0 }
        let bits = UInt64(length) * 8
        for i in 0..<8 { message[56 + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i))) }
        // The block as 16 little-endian words, read in place (the buffer is 8-byte aligned).
        let m = UnsafeRawBufferPointer(message).bindMemory(to: UInt32.self)
        var a: UInt32 = 0x6745_2301, b: UInt32 = 0xefcd_ab89, c: UInt32 = 0x98ba_dcfe, d: UInt32 = 0x1032_5476
        let a0 = a, b0 = b, c0 = c, d0 = d
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ k[i] &+ UInt32(littleEndian: m[g])
            a = d; d = c; c = b
            b = b &+ ((f << s[i]) | (f >> (32 - s[i])))
        }
        a = a &+ a0
        b = b &+ b0
        _ = c &+ c0
        _ = d &+ d0
        // Digest bytes are a, b, c, d little-endian; the first 8 bytes read big-endian:
        return UInt64(a.byteSwapped) << 32 | UInt64(b.byteSwapped)
    }
}
