import Foundation

/// America/New_York local time, which the legacy stack used for its SQLite keys, heartbeat files and
/// Kalshi event tickers.
///
/// For years 2007 and later the US rule is applied arithmetically (DST from the second Sunday of
/// March 02:00 EST to the first Sunday of November 02:00 EDT): it is exact, fast and needs no tz
/// database. Earlier years fall back to the system tz database. A test checks the arithmetic
/// against the tz database hour by hour.
public enum NewYorkTime {
    public static let standardOffset = -5 * 3600
    public static let daylightOffset = -4 * 3600

    /// How a legacy local timestamp text maps onto instants.
    public enum Resolution: Sendable, Equatable {
        /// One instant.
        case unique(Int64)
        /// The autumn fall-back hour: the same local text names an EDT instant and, one hour later,
        /// an EST instant.
        case ambiguous(edt: Int64, est: Int64)
        /// A spring-forward local time that never occurred.
        case nonexistent
        /// Not `YYYY-MM-DDTHH:MM:SS` or not a real date.
        case malformed
    }

    /// The UTC offset (seconds) in New York at an instant.
    public static func offset(atEpochSeconds t: Int64) -> Int {
        let year = CivilDateTime(epochSeconds: t).year
        guard year >= 2007 else { return legacyOffset(t) }
        let (start, end) = dstBounds(year: year)
        return (t >= start && t < end) ? daylightOffset : standardOffset
    }

    /// The legacy key text `%Y-%m-%dT%H:%M:%S` in New York local time.
    public static func legacyText(epochSeconds t: Int64) -> String {
        CivilDateTime(epochSeconds: t, offset: offset(atEpochSeconds: t)).formatted()
    }

    /// `YYYY-MM-DDTHH:MM:SS-04:00`: New York local time with its offset.
    public static func iso8601WithOffset(epochSeconds t: Int64) -> String {
        let off = offset(atEpochSeconds: t)
        let sign = off < 0 ? "-" : "+"
        var s = CivilDateTime(epochSeconds: t, offset: off).formatted() + sign
        CivilDateTime.append(abs(off) / 3600, width: 2, to: &s)
        s.append(":")
        CivilDateTime.append((abs(off) % 3600) / 60, width: 2, to: &s)
        return s
    }

    /// The civil New York time of an instant.
    public static func civil(epochSeconds t: Int64) -> CivilDateTime {
        CivilDateTime(epochSeconds: t, offset: offset(atEpochSeconds: t))
    }

    /// Resolves a legacy local timestamp text.
    public static func resolve<S: StringProtocol>(legacyText text: S) -> Resolution {
        guard let civil = CivilDateTime.parse(text) else { return .malformed }
        return resolve(civil: civil)
    }

    /// Resolves a New York civil time to its instant(s).
    public static func resolve(civil: CivilDateTime) -> Resolution {
        let asUTC = civil.epochSecondsAsUTC
        let edt = asUTC - Int64(daylightOffset)
        let est = asUTC - Int64(standardOffset)
        let edtOK: Bool
        let estOK: Bool
        if civil.year >= 2007 {
            // Both candidate instants lie within hours of the local time, so the DST bounds of the
            // local year decide (near New Year both are standard time whichever year's bounds are
            // used): one bounds computation per key instead of two year lookups (parity and the
            // backfill resolve millions of keys).
            let (start, end) = dstBounds(year: civil.year)
            edtOK = edt >= start && edt < end
            estOK = !(est >= start && est < end)
        } else {
            edtOK = offset(atEpochSeconds: edt) == daylightOffset
            estOK = offset(atEpochSeconds: est) == standardOffset
        }
        switch (edtOK, estOK) {
        case (true, true): return .ambiguous(edt: edt, est: est)
        case (true, false): return .unique(edt)
        case (false, true): return .unique(est)
        case (false, false): return .nonexistent
        }
    }

    /// DST start and end instants (UTC epoch seconds) of a year under the 2007 rule.
    public static func dstBounds(year: Int) -> (start: Int64, end: Int64) {
        // Second Sunday of March, 02:00 EST = 07:00 UTC.
        let march1 = CivilDateTime.days(fromCivil: year, 3, 1)
        let firstSundayMarch = march1 + Int64((7 - CivilDateTime.weekday(days: march1)) % 7)
        let start = (firstSundayMarch + 7) * 86_400 + 7 * 3600
        // First Sunday of November, 02:00 EDT = 06:00 UTC.
        let nov1 = CivilDateTime.days(fromCivil: year, 11, 1)
        let firstSundayNov = nov1 + Int64((7 - CivilDateTime.weekday(days: nov1)) % 7)
        let end = firstSundayNov * 86_400 + 6 * 3600
        return (start, end)
    }

    private static let zone = TimeZone(identifier: "America/New_York")

    private static func legacyOffset(_ t: Int64) -> Int {
        guard let zone else { return standardOffset }
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}
