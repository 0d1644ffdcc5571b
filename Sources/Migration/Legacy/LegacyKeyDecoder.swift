/// `LegacyPriceRule.key(bytes:)` for keys that arrive in (nearly) time order, as a table scan reads
/// them: it remembers the last local hour it resolved (`YYYY-MM-DDTHH`, its first instant and
/// whether the hour is the fall-back one), so the other keys of that hour cost a prefix compare and
/// four digits instead of a calendar and DST computation. The answer is always exactly the rule's:
/// within one New York local hour the UTC offset cannot change (the DST switches fall on whole
/// hours), and an hour is remembered only when all its seconds lie inside the rule's 2000...2100
/// bounds; anything else goes to the rule itself.
struct LegacyKeyDecoder {
    private var prefixHead: UInt64 = 0
    private var prefixTail: UInt32 = 0
    private var prefixHour: UInt8 = 0
    private var hourStart: Int64 = 0
    private var hourAmbiguous = false
    private var remembered = false

    mutating func key(bytes u: UnsafeRawBufferPointer) -> LegacyPriceRule.Key {
        guard u.count == 19 else { return LegacyPriceRule.key(bytes: u) }
        let head = u.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let tail = u.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        let m1 = u[14] &- 48, m2 = u[15] &- 48, s1 = u[17] &- 48, s2 = u[18] &- 48
        let clock = m1 <= 5 && m2 <= 9 && s1 <= 5 && s2 <= 9 && u[13] == 58 && u[16] == 58
        let offset = Int64(m1) * 600 + Int64(m2) * 60 + Int64(s1) * 10 + Int64(s2)
        if remembered, clock, head == prefixHead, tail == prefixTail, u[12] == prefixHour {
            return .instant(hourStart + offset, ambiguous: hourAmbiguous)
        }
        let key = LegacyPriceRule.key(bytes: u)
        if clock, case .instant(let second, let ambiguous) = key {
            let start = second - offset
            remembered = start > 946_684_800 && start + 3599 < 4_102_444_800
            (prefixHead, prefixTail, prefixHour, hourStart, hourAmbiguous) = (head, tail, u[12], start, ambiguous)
        }
        return key
    }
}
