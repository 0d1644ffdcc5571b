/// PostgreSQL's `hash_numeric_extended(value, seed)` (src/backend/utils/adt/numeric.c) for a value
/// with two decimals, given in cents, reproduced bit for bit (the lookup3 part is `Lookup3`).
///
/// The server hashes a `numeric`'s base-10000 digits without its leading and trailing zero digits
/// (so `64000.00`, `64000.0` and `64000` hash alike), as 16-bit words in memory order, then XORs
/// the weight (the power of 10000 of the first digit kept). The sign is not hashed; zero hashes
/// to `seed - 1`. A test checks it against the server.
enum PostgresNumericHash {
    /// `hash_numeric_extended(cents / 100, seed)` as an unsigned 64-bit pattern.
    static func extended(cents: Int64, seed: UInt64) -> UInt64 {
        let magnitude = cents.magnitude
        let whole = magnitude / 100
        var wholeDigits = 0  // base-10000 digits of the whole part (at most 5 for any Int64)
        var rest = whole
        while rest > 0 {
            rest /= 10_000
            wholeDigits += 1
        }
        // All digits, most significant first: the whole part's, then the cents (.45 is 4500), in a
        // stack buffer (parity hashes tens of millions of rows).
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 6) { digits in
            rest = whole
            for i in stride(from: wholeDigits - 1, through: 0, by: -1) {
                digits[i] = UInt32(truncatingIfNeeded: rest % 10_000)
                rest /= 10_000
            }
            digits[wholeDigits] = UInt32(truncatingIfNeeded: (magnitude % 100) * 100)
            var weight = wholeDigits - 1
            var first = 0
            var end = wholeDigits + 1
            while first < end, digits[first] == 0 {
                first += 1
                weight -= 1
            }
            guard first < end else { return seed &- 1 }
            while digits[end - 1] == 0 { end -= 1 }
            // The kept digits as little-endian 32-bit words, two digits a word.
            var words: (UInt32, UInt32, UInt32) = (0, 0, 0)
            for i in first..<end {
                let shifted = digits[i] << (16 * UInt32((i - first) & 1))
                switch (i - first) >> 1 {
                case 0: words.0 |= shifted
                case 1: words.1 |= shifted
                default: words.2 |= shifted
                }
            }
            let hash = Lookup3.bytesExtended(words.0, words.1, words.2, length: 2 * (end - first), seed: seed)
            return hash ^ UInt64(bitPattern: Int64(weight))
        }
    }
}
