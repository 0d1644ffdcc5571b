/// Calendar arithmetic on UTC epoch seconds without Foundation's calendar machinery: the writers
/// format and parse millions of timestamps, and these proleptic-Gregorian conversions
/// (H. Hinnant's `days_from_civil`) are exact and allocation-free.
public struct CivilDateTime: Sendable, Hashable, Comparable {
    public var year: Int
    public var month: Int   // 1...12
    public var day: Int     // 1...31
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The civil time of `epochSeconds` shifted by `offset` seconds (0 for UTC).
    public init(epochSeconds: Int64, offset: Int = 0) {
        let t = epochSeconds + Int64(offset)
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let secs = Int(t - days * 86_400)
        let (y, m, d) = CivilDateTime.civil(fromDays: days)
        self.init(year: y, month: m, day: d, hour: secs / 3600, minute: (secs % 3600) / 60, second: secs % 60)
    }

    /// Seconds since the epoch of this civil time read as UTC (subtract an offset for local time).
    public var epochSecondsAsUTC: Int64 {
        CivilDateTime.days(fromCivil: year, month, day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Whether the fields name a real calendar date and time of day.
    public var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= CivilDateTime.daysInMonth(year, month)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
    }

    public static func < (a: Self, b: Self) -> Bool { a.epochSecondsAsUTC < b.epochSecondsAsUTC }

    public static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    public static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        let y = Int(yoe + era * 400) + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }

    /// Day of week, 0 = Sunday.
    public static func weekday(days: Int64) -> Int {
        Int(((days % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
    }

    /// `YYYY-MM-DDTHH:MM:SS` (the legacy `%Y-%m-%dT%H:%M:%S`); `separator` replaces the `T`.
    /// Written byte by byte into one allocation: the writers format millions of these.
    public func formatted(separator: Character = "T") -> String {
        guard (0...9999).contains(year) else {
            var s = ""
            CivilDateTime.append(year, width: 4, to: &s)
            for (value, prefix) in [(month, "-"), (day, "-"), (hour, String(separator)), (minute, ":"), (second, ":")] {
                s += prefix
                CivilDateTime.append(value, width: 2, to: &s)
            }
            return s
        }
        let sep = separator.asciiValue ?? UInt8(ascii: "T")
        return String(unsafeUninitializedCapacity: 19) { buffer in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var v = value
                for i in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[i] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            buffer[10] = sep
            put(hour, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(minute, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(second, 2, at: 17)
            return 19
        }
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS` exactly (no fraction, no offset); `nil` otherwise.
    public static func parse<S: StringProtocol>(_ text: S) -> CivilDateTime? {
        let u = Array(text.utf8)
        guard u.count == 19, u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 32, u[13] == 58, u[16] == 58 else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                let c = u[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10),
              let h = num(11..<13), let mi = num(14..<16), let s = num(17..<19) else { return nil }
        let c = CivilDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        return c.isValid ? c : nil
    }

    static func append(_ value: Int, width: Int, to s: inout String) {
        let digits = String(value)
        if digits.count < width { s.append(String(repeating: "0", count: width - digits.count)) }
        s.append(digits)
    }
}

/// UTC timestamps in the text forms PostgreSQL and the JSON files use.
public enum UTCTime {
    /// `YYYY-MM-DD HH:MM:SS+00`, PostgreSQL's `timestamptz` text form with the session in UTC.
    public static func postgresText(epochSeconds: Int64) -> String {
        CivilDateTime(epochSeconds: epochSeconds).formatted(separator: " ") + "+00"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public static func iso8601(epochSeconds: Int64) -> String {
        CivilDateTime(epochSeconds: epochSeconds).formatted() + "Z"
    }

    /// Parses the `timestamptz` text PostgreSQL returns (`2026-11-25 15:49:30+00`, optionally with
    /// a fraction, which is truncated to the second, and any `±HH[:MM]` offset); also accepts
    /// `...Z`. Returns UTC epoch seconds.
    public static func parseEpochSeconds(_ text: String) -> Int64? {
        let u = Array(text.utf8)
        guard u.count >= 19, let civil = CivilDateTime.parse(String(decoding: u[0..<19], as: UTF8.self)) else { return nil }
        var i = 19
        if i < u.count, u[i] == 46 {  // fraction
            i += 1
            while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 }
        }
        var offset = 0
        if i < u.count {
            if u[i] == 90 { i += 1 } else if u[i] == 43 || u[i] == 45 {
                let sign = u[i] == 45 ? -1 : 1
                i += 1
                var digits: [Int] = []
                while i < u.count {
                    if u[i] >= 48, u[i] <= 57 { digits.append(Int(u[i] - 48)) } else if u[i] != 58 { return nil }
                    i += 1
                }
                guard digits.count == 2 || digits.count == 4 else { return nil }
                let hh = digits[0] * 10 + digits[1]
                let mm = digits.count == 4 ? digits[2] * 10 + digits[3] : 0
                offset = sign * (hh * 3600 + mm * 60)
            } else { return nil }
        }
        guard i == u.count else { return nil }
        return civil.epochSecondsAsUTC - Int64(offset)
    }
}
