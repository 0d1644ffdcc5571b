/// PostgreSQL's `hashint8extended(value, seed)` (src/backend/access/hash/hashfunc.c and the
/// lookup3 `hash_uint32_extended` of src/common/hashfn.c), reproduced bit for bit so the legacy
/// side of parity hashes rows exactly as the server does. Pure 32-bit arithmetic: the result does
/// not depend on the platform's byte order. A test checks it against the server.
enum PostgresInt8Hash {
    /// `hashint8extended(value, seed)` as an unsigned 64-bit pattern (the server returns it as `bigint`).
    static func extended(_ value: Int64, seed: Int64) -> UInt64 {
        // hashint8extended folds the high half into the low one (so equal int2/int4/int8 values hash alike).
        var low = UInt32(truncatingIfNeeded: value)
        let high = UInt32(truncatingIfNeeded: value >> 32)
        low ^= value >= 0 ? high : ~high
        return uint32Extended(low, seed: UInt64(bitPattern: seed))
    }

    /// `hash_uint32_extended(k, seed)`.
    static func uint32Extended(_ k: UInt32, seed: UInt64) -> UInt64 {
        var a: UInt32 = 0x9e37_79b9 &+ 4 &+ 3_923_095
        var b = a
        var c = a
        if seed != 0 {
            a &+= UInt32(truncatingIfNeeded: seed >> 32)
            b &+= UInt32(truncatingIfNeeded: seed)
            mix(&a, &b, &c)
        }
        a &+= k
        final(&a, &b, &c)
        return UInt64(b) << 32 | UInt64(c)
    }

    @inline(__always) private static func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }

    @inline(__always) private static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        a &-= c; a ^= rot(c, 4); c &+= b
        b &-= a; b ^= rot(a, 6); a &+= c
        c &-= b; c ^= rot(b, 8); b &+= a
        a &-= c; a ^= rot(c, 16); c &+= b
        b &-= a; b ^= rot(a, 19); a &+= c
        c &-= b; c ^= rot(b, 4); b &+= a
    }

    @inline(__always) private static func final(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
    }
}
