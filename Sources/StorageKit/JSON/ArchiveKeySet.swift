/// The natural keys an archive hour file holds, without keeping the key strings.
///
/// A market-snapshot archive hour holds about 144,000 keys (40 markets a second). As `String`s in a
/// `Set` they took over 100 bytes each (14 MiB an hour); as 128-bit digests 16 bytes each, still a
/// `Set` that doubled its storage every few minutes and reached 4 MiB by the end of the hour, the
/// kalshi-api-watchdog's RSS growing in steps with it.
///
/// Every record's natural key contains its second (`"<second>|<market>"`, `"<service>|<second>"`),
/// and the keys of one hour differ mostly in that second. So a key is split at the first occurrence
/// of its second's decimal text into its *rest* (the text before and the text after it) and the
/// second's offset in its UTC hour; each rest keeps one bit per second of the hour (3,600
/// bits, 456 bytes). An hour of 40 markets is then 40 rests, about 18 KiB, whatever the hour's
/// progress. The split is reversible — the rest, the hour and the offset give back the key — so
/// two different keys never share a rest and a bit. A key that does not contain its second's text
/// is kept whole, as a 128-bit digest in a set.
///
/// The digests are two SipHash values under different domain bytes, with the process's random
/// `Hasher` seed (they never leave the process). Two different rests (or whole keys) share a digest
/// with a probability of about n²/2¹²⁹, far below any fault the writer could otherwise see, so a key
/// is never taken for one already written.
struct ArchiveKeySet {
    private struct Digest: Hashable {
        let high: UInt64
        let low: UInt64
    }

    /// One bit per second of an hour.
    private struct HourBits {
        static let words = (3600 + 63) / 64
        var words = [UInt64](repeating: 0, count: HourBits.words)
    }

    private var hours: [Digest: HourBits] = [:]
    private var whole = Set<Digest>()
    private(set) var count = 0

    /// How many (rest, hour) bitmaps and whole-key digests the set holds (what its memory grows with).
    var storedEntries: (bitmaps: Int, wholeKeys: Int) { (hours.count, whole.count) }

    /// Whether `key`, the natural key of a record of instant `second`, is in the set.
    func contains(_ key: String, second: Int64) -> Bool {
        switch Self.split(key, second: second) {
        case .hour(let rest, let offset):
            guard let bits = hours[rest] else { return false }
            return bits.words[offset >> 6] & (1 << UInt64(offset & 63)) != 0
        case .whole(let digest):
            return whole.contains(digest)
        }
    }

    /// Adds `key`, the natural key of a record of instant `second`.
    mutating func insert(_ key: String, second: Int64) {
        switch Self.split(key, second: second) {
        case .hour(let rest, let offset):
            let mask: UInt64 = 1 << UInt64(offset & 63)
            let added = hours[rest, default: HourBits()].words[offset >> 6] & mask == 0
            if added {
                hours[rest, default: HourBits()].words[offset >> 6] |= mask
                count += 1
            }
        case .whole(let digest):
            if whole.insert(digest).inserted { count += 1 }
        }
    }

    private enum Split {
        case hour(rest: Digest, offset: Int)
        case whole(Digest)
    }

    private static func split(_ key: String, second: Int64) -> Split {
        guard let cut = key.range(of: String(second)) else { return .whole(digest(domain: 3, key[...], "", 0)) }
        let hourStart = second - ((second % 3600) + 3600) % 3600
        return .hour(rest: digest(domain: 1, key[..<cut.lowerBound], key[cut.upperBound...], hourStart), offset: Int(second - hourStart))
    }

    /// Hashing a string also hashes its end, so (before, after) pairs never run together.
    private static func digest(domain: UInt8, _ before: Substring, _ after: Substring, _ hour: Int64) -> Digest {
        var first = Hasher()
        var second = Hasher()
        first.combine(domain)
        second.combine(domain &+ 100)
        first.combine(before)
        first.combine(after)
        first.combine(hour)
        second.combine(before)
        second.combine(after)
        second.combine(hour)
        return Digest(high: UInt64(bitPattern: Int64(first.finalize())), low: UInt64(bitPattern: Int64(second.finalize())))
    }
}
