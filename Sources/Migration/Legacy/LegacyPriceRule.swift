import StorageKit

/// How a legacy `price_log` row becomes a 1-second price, in one place for backfill and parity
/// (both must read the legacy file the same way, or parity would flag the backfill's own rules).
///
/// - Key: exactly `YYYY-MM-DDTHH:MM:SS` (what the legacy `strftime` wrote), America/New_York
///   local time. A key of the autumn fall-back hour names two instants; it is read as the **EST**
///   (later) one, because the legacy `INSERT OR REPLACE` let the EST pass overwrite the EDT pass
///   wherever the EST second had a tick (`LegacyPriceLog.instant(forLegacyKey:)`, same rule).
///   Such rows are counted as "touched by the fall-back rule". A spring-forward local time that
///   never occurred is rejected, as is any other text.
/// - Price: an SQLite `REAL` (or `INTEGER`) rounded to the nearest cent, ties to even
///   (`USDCents(dollars:)`); it must be positive and fit `numeric(14,2)`. NULL, text, NaN, zero
///   and negative prices are rejected.
/// - The instant must lie in 2000...2100 (`PriceTick.validate`).
public enum LegacyPriceRule {
    /// A key read as an instant, or why it cannot be one.
    public enum Key: Sendable, Equatable {
        case instant(Int64, ambiguous: Bool)
        case rejected(String)
    }

    /// A price read as cents, or why it cannot be one.
    public enum Price: Sendable, Equatable {
        case cents(Int64)
        case rejected(String)
    }

    /// Largest amount `numeric(14,2)` holds, in cents.
    static let maxCents: Int64 = 999_999_999_999

    /// Reads a key given as its UTF-8 bytes.
    public static func key(bytes u: UnsafeRawBufferPointer) -> Key {
        guard u.count == 19, u[4] == 45, u[7] == 45, u[10] == 84, u[13] == 58, u[16] == 58 else {
            return .rejected("timestamp \"\(text(u))\" is not a %Y-%m-%dT%H:%M:%S local time")
        }
        @inline(__always) func num(_ a: Int, _ b: Int) -> Int? {
            var v = 0
            for i in a..<b {
                let c = u[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10), let h = num(11, 13), let mi = num(14, 16), let s = num(17, 19) else {
            return .rejected("timestamp \"\(text(u))\" is not a %Y-%m-%dT%H:%M:%S local time")
        }
        let civil = CivilDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        guard civil.isValid else { return .rejected("timestamp \"\(text(u))\" is not a real date and time") }
        let instant: Int64
        let ambiguous: Bool
        switch NewYorkTime.resolve(civil: civil) {
        case .unique(let t): (instant, ambiguous) = (t, false)
        case .ambiguous(_, let est): (instant, ambiguous) = (est, true)
        case .nonexistent: return .rejected("timestamp \"\(text(u))\" is a spring-forward local time that never occurred")
        case .malformed: return .rejected("timestamp \"\(text(u))\" is not a %Y-%m-%dT%H:%M:%S local time")
        }
        guard instant > 946_684_800, instant < 4_102_444_800 else {
            return .rejected("timestamp \"\(text(u))\" is outside 2000...2100")
        }
        return .instant(instant, ambiguous: ambiguous)
    }

    /// Reads a key value as SQLite returned it.
    public static func key(_ value: SQLiteValue) -> Key {
        switch value {
        case .text(var s): return s.withUTF8 { key(bytes: UnsafeRawBufferPointer($0)) }
        case .null: return .rejected("timestamp is NULL")
        case .integer(let v): return .rejected("timestamp is the number \(v), not text")
        case .real(let v): return .rejected("timestamp is the number \(v), not text")
        }
    }

    /// Reads a price of storage class `type` whose numeric value is `double`.
    public static func price(type: SQLiteStatement.ColumnType, double: Double) -> Price {
        switch type {
        case .null: return .rejected("price is NULL")
        case .text, .blob: return .rejected("price is text, not a number")
        case .integer, .real: return price(double)
        }
    }

    /// Reads a price value as SQLite returned it.
    public static func price(_ value: SQLiteValue) -> Price {
        switch value {
        case .null: return .rejected("price is NULL")
        case .text(let s): return .rejected("price is the text \"\(s.prefix(40))\", not a number")
        case .integer(let v): return price(Double(v))
        case .real(let v): return price(v)
        }
    }

    static func price(_ dollars: Double) -> Price {
        guard dollars.isFinite else { return .rejected("price \(dollars) is not finite") }
        guard let cents = USDCents(dollars: dollars) else { return .rejected("price \(dollars) is out of range") }
        guard cents.cents > 0 else { return .rejected("price \(dollars) is not a positive amount of cents") }
        guard cents.cents <= maxCents else { return .rejected("price \(dollars) does not fit numeric(14,2)") }
        return .cents(cents.cents)
    }

    /// The UTC span of the autumn fall-back that contains `second`, if any: both passes of the
    /// repeated local hour (01:00 EDT up to 02:00 EST), where legacy keys are ambiguous.
    public static func fallBackWindow(containing second: Int64) -> Range<Int64>? {
        let year = CivilDateTime(epochSeconds: second).year
        guard year >= 2007 else { return nil }
        let end = NewYorkTime.dstBounds(year: year).end  // 06:00 UTC: 02:00 EDT became 01:00 EST
        let window = (end - 3600)..<(end + 3600)
        return window.contains(second) ? window : nil
    }

    private static func text(_ u: UnsafeRawBufferPointer) -> String {
        String(decoding: u.prefix(40), as: UTF8.self)
    }
}
