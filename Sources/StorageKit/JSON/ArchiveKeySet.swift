/// The natural keys an archive hour file holds, kept as 128-bit digests instead of the key
/// strings.
///
/// A market-snapshot archive hour holds about 144,000 keys (40 markets a second); as `String`s in
/// a `Set` they took over 100 bytes each, so the kalshi-api-watchdog's memory grew by about
/// 14 MiB over every hour it archived. A digest takes 16 bytes.
///
/// The digest is two SipHash values of the key under different domain bytes, with the process's
/// random `Hasher` seed (digests never leave the process). Two different keys share a digest with
/// a probability of about n²/2¹²⁹ — about 3·10⁻²⁹ for an hour of 144,000 keys — far below
/// any fault the writer could otherwise see, so a key is never taken for one already written.
struct ArchiveKeySet {
    private struct Digest: Hashable {
        let high: UInt64
        let low: UInt64
    }

    private var digests = Set<Digest>()

    var count: Int { digests.count }

    func contains(_ key: String) -> Bool { digests.contains(Self.digest(key)) }

    mutating func insert(_ key: String) { digests.insert(Self.digest(key)) }

    mutating func formUnion<S: Sequence>(_ keys: S) where S.Element == String {
        for key in keys { insert(key) }
    }

    private static func digest(_ key: String) -> Digest {
        var first = Hasher()
        first.combine(UInt8(1))
        first.combine(key)
        var second = Hasher()
        second.combine(UInt8(2))
        second.combine(key)
        return Digest(high: UInt64(bitPattern: Int64(first.finalize())), low: UInt64(bitPattern: Int64(second.finalize())))
    }
}
