/// Bob Jenkins' lookup3 as PostgreSQL uses it (src/common/hashfn.c): `hash_bytes_extended`, the
/// 64-bit seeded hash behind the server's `hash_*_extended` functions, reproduced bit for bit so
/// the legacy side of parity hashes rows exactly as the server does. Keys are given as
/// little-endian 32-bit words (the byte order of the x86-64 and ARM64 servers this runs against);
/// a test checks the results against the server.
enum Lookup3 {
    /// `hash_bytes_extended` of a key of `length` ≤ 12 bytes given as three little-endian words
    /// (bytes past `length` must be zero).
    static func bytesExtended(_ w0: UInt32, _ w1: UInt32, _ w2: UInt32, length: Int, seed: UInt64) -> UInt64 {
        var (a, b, c) = start(length: length, seed: seed)
        a &+= w0
        b &+= w1
        if length == 12 {
            // A whole 12-byte block goes through `mix`; the (empty) tail then adds nothing.
            c &+= w2
            mix(&a, &b, &c)
        } else {
            // The tail's bytes 8...10 land one byte up in `c`: its lowest byte is the length's.
            c &+= w2 << 8
        }
        final(&a, &b, &c)
        return UInt64(b) << 32 | UInt64(c)
    }

    /// `hash_uint32_extended`: one 32-bit key (what `hashint8extended` hashes).
    static func uint32Extended(_ k: UInt32, seed: UInt64) -> UInt64 {
        var (a, b, c) = start(length: 4, seed: seed)
        a &+= k
        final(&a, &b, &c)
        return UInt64(b) << 32 | UInt64(c)
    }

    /// The state both functions start from: the golden ratio plus the key's length, then the seed
    /// mixed in (a zero seed is not mixed, as in the server).
    @inline(__always) static func start(length: Int, seed: UInt64) -> (UInt32, UInt32, UInt32) {
        var a: UInt32 = 0x9e37_79b9 &+ UInt32(truncatingIfNeeded: length) &+ 3_923_095
        var b = a
        var c = a
        if seed != 0 {
            a &+= UInt32(truncatingIfNeeded: seed >> 32)
            b &+= UInt32(truncatingIfNeeded: seed)
            mix(&a, &b, &c)
        }
        return (a, b, c)
    }

    @inline(__always) static func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }

    @inline(__always) static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        a &-= c; a ^= rot(c, 4); c &+= b
        b &-= a; b ^= rot(a, 6); a &+= c
        c &-= b; c ^= rot(b, 8); b &+= a
        a &-= c; a ^= rot(c, 16); c &+= b
        b &-= a; b ^= rot(a, 19); a &+= c
        c &-= b; c ^= rot(b, 4); b &+= a
    }

    @inline(__always) static func final(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
    }
}
