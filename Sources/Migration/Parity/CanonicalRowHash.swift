/// The order-independent checksum parity compares between stores.
///
/// A price row is canonically the pair (UTC epoch second, price in cents) — the same values
/// whichever store the row came from (the legacy file's local-time key and `REAL` price are
/// decoded by `LegacyPriceRule` first). A row's hash is two of PostgreSQL's built-in hash
/// functions, which the server evaluates cheaply and this file reproduces bit for bit:
///
///     hash_numeric_extended(price, interval_hash_extended(ts - timestamptz '1970-01-01 00:00:00+00', 0))
///
/// The instant's hash (`timeSeed`) is `hashint8extended` of its microseconds since the Unix epoch
/// — the interval `ts - epoch` hashes as its total microseconds — and seeds the 64-bit lookup3 hash
/// of the price's decimal digits (`PostgresNumericHash`). A segment's checksum is the count of rows
/// and the sum of their hashes modulo 2^64. PostgreSQL computes exactly this inside the server (no
/// text formatting, no numeric arithmetic, and no `date_part` per row: extracting the epoch as a
/// number cost a third of the server's time per row, more than this hash), the legacy side in one
/// streaming pass, so only one number per segment crosses the network.
///
/// `hashint8extended` folds the 64-bit microseconds to 32 bits (low word XOR high word) before
/// hashing. Two whole seconds between 1970 and 2106 that are less than 4,294 s (71 minutes) apart
/// never fold alike — their high words are equal or one apart and below 2^20, so their low words
/// would have to agree in the top 12 bits, i.e. lie less than 2^20 µs apart — so within a bucket of
/// up to an hour every second has its own seed (a test checks windows of two hours); a row's hash
/// changes with its second and with its price.
public enum CanonicalRowHash {
    /// The hash of one row.
    public static func hash(second: Int64, cents: Int64) -> UInt64 {
        PostgresNumericHash.extended(cents: cents, seed: timeSeed(second: second))
    }

    /// `interval_hash_extended(to_timestamp(second) - epoch, 0)`: `hashint8extended` of the
    /// instant's microseconds.
    static func timeSeed(second: Int64) -> UInt64 {
        let micros = second &* 1_000_000
        var low = UInt32(truncatingIfNeeded: micros)
        let high = UInt32(truncatingIfNeeded: micros >> 32)
        low ^= micros >= 0 ? high : ~high
        return Lookup3.uint32Extended(low, seed: 0)
    }

    /// The canonical text of one row (for reports and tests).
    public static func text(second: Int64, cents: Int64) -> String {
        "\(second)|\(USDText.format(cents))"
    }

    /// The SQL expression PostgreSQL evaluates for the same hash, given a `timestamptz` instant
    /// expression (whole seconds) and a `numeric` price expression.
    static func sql(instant: String, price: String) -> String {
        "hash_numeric_extended(\(price), interval_hash_extended(\(instant) - timestamptz '1970-01-01 00:00:00+00', 0))"
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

    /// Adds another checksum's rows (the checksum of the union of two disjoint row sets).
    public mutating func merge(_ other: SegmentChecksum) {
        count += other.count
        hash &+= other.hash
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
