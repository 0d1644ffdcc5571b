/// The order-independent checksum parity compares between stores.
///
/// A price row is canonically the pair (UTC epoch second, price in cents) — the same values
/// whichever store the row came from (the legacy file's local-time key and `REAL` price are
/// decoded by `LegacyPriceRule` first). A row's hash is PostgreSQL's built-in
/// `hash_numeric_extended(price, second)`: the 64-bit lookup3 hash of the price's decimal digits,
/// seeded with the second (`PostgresNumericHash`, bit-for-bit the server's). A segment's checksum
/// is the count of rows and the sum of their hashes modulo 2^64. PostgreSQL computes exactly this
/// inside the server (`sum(hash_numeric_extended(...))`: no text formatting, no numeric
/// arithmetic per row — hashing the stored digits is cheaper than scaling the price to cents),
/// the legacy side in one streaming pass, so only one number per segment crosses the network.
/// Every bit of the second enters the hash (it is the 64-bit seed), so two rows of one segment
/// never differ only in a part of the second the hash ignores.
public enum CanonicalRowHash {
    /// The hash of one row.
    public static func hash(second: Int64, cents: Int64) -> UInt64 {
        PostgresNumericHash.extended(cents: cents, seed: UInt64(bitPattern: second))
    }

    /// The canonical text of one row (for reports and tests).
    public static func text(second: Int64, cents: Int64) -> String {
        "\(second)|\(USDText.format(cents))"
    }

    /// The SQL expression PostgreSQL evaluates for the same hash, given a `bigint` epoch-second
    /// expression and a `numeric` price expression.
    static func sql(second: String, price: String) -> String {
        "hash_numeric_extended(\(price), \(second))"
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
