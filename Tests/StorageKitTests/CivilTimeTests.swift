import Foundation
import Testing
@testable import StorageKit

@Suite struct CivilTimeTests {
    @Test func roundTripsCivilDays() {
        for days: Int64 in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilDateTime.civil(fromDays: days)
            #expect(CivilDateTime.days(fromCivil: y, m, d) == days)
        }
    }

    @Test func formatsAndParsesUTC() {
        let t: Int64 = 1_764_085_770  // 2025-11-25T15:49:30Z
        #expect(UTCTime.iso8601(epochSeconds: t) == "2025-11-25T15:49:30Z")
        #expect(UTCTime.postgresText(epochSeconds: t) == "2025-11-25 15:49:30+00")
        #expect(UTCTime.parseEpochSeconds("2025-11-25 15:49:30+00") == t)
        #expect(UTCTime.parseEpochSeconds("2025-11-25 10:49:30.999-05") == t)
        #expect(UTCTime.parseEpochSeconds("2025-11-25T15:49:30Z") == t)
        #expect(UTCTime.parseEpochSeconds("2025-11-25 15:49:30+0x") == nil)
        #expect(UTCTime.parseEpochSeconds("2025-02-30 15:49:30+00") == nil)
    }

    @Test func newYorkArithmeticMatchesTheTzDatabase() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        // Every hour from 2007 to 2040, plus the seconds around each transition.
        var t: Int64 = 1_167_609_600  // 2007-01-01
        let end: Int64 = 2_240_611_200  // 2041-01-01
        while t < end {
            #expect(NewYorkTime.offset(atEpochSeconds: t) == zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
            t += 3600
        }
        for year in 2007...2040 {
            let (start, stop) = NewYorkTime.dstBounds(year: year)
            for probe in [start - 1, start, stop - 1, stop] {
                #expect(NewYorkTime.offset(atEpochSeconds: probe) == zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(probe))))
            }
        }
    }

    @Test func resolvesLegacyKeysAroundTransitions() {
        // 2025-11-02 fall back: 01:30 local happens twice.
        #expect(NewYorkTime.resolve(legacyText: "2025-11-02T01:30:00") == .ambiguous(edt: 1_762_061_400, est: 1_762_065_000))
        #expect(NewYorkTime.resolve(legacyText: "2025-11-02T00:59:59") == .unique(1_762_059_599))
        #expect(NewYorkTime.resolve(legacyText: "2025-11-02T02:00:00") == .unique(1_762_066_800))
        // 2025-03-09 spring forward: 02:30 local never happened.
        #expect(NewYorkTime.resolve(legacyText: "2025-03-09T02:30:00") == .nonexistent)
        #expect(NewYorkTime.resolve(legacyText: "2025-03-09T03:00:00") == .unique(1_741_503_600))
        #expect(NewYorkTime.resolve(legacyText: "2025-03-09 03:00") == .malformed)
        #expect(NewYorkTime.legacyText(epochSeconds: 1_762_061_400) == "2025-11-02T01:30:00")
        #expect(NewYorkTime.legacyText(epochSeconds: 1_762_065_000) == "2025-11-02T01:30:00")
        #expect(NewYorkTime.iso8601WithOffset(epochSeconds: 1_762_061_400) == "2025-11-02T01:30:00-04:00")
    }

    /// Every local quarter hour of three years (and the New Year edges) resolves to exactly the
    /// instants whose New York offset maps back to that local time, per the tz database.
    @Test func resolveAgreesWithTheTimeZoneDatabase() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        func offset(_ t: Int64) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))) }
        for year in [2024, 2025, 2026] {
            var local = CivilDateTime(year: year, month: 1, day: 1).epochSecondsAsUTC - 3600
            let end = CivilDateTime(year: year + 1, month: 1, day: 1).epochSecondsAsUTC + 3600
            while local < end {
                let civil = CivilDateTime(epochSeconds: local)
                let edt = local + 4 * 3600, est = local + 5 * 3600
                let edtOK = offset(edt) == -4 * 3600, estOK = offset(est) == -5 * 3600
                let expected: NewYorkTime.Resolution = edtOK && estOK ? .ambiguous(edt: edt, est: est)
                    : edtOK ? .unique(edt) : estOK ? .unique(est) : .nonexistent
                #expect(NewYorkTime.resolve(civil: civil) == expected, "\(civil.formatted())")
                local += 900
            }
        }
    }

    @Test(arguments: [
        ("8500.00000000", Int64(850_000)), ("43251.2", 4_325_120), ("0.125", 12), ("0.135", 14),
        ("0.1251", 13), ("-1.5", -150), ("7", 700), ("0.145", 14), ("0.1450001", 15), ("-0.125", -12), ("+2.", 200),
        (".5", 50), ("0.994", 99), ("0.995", 100), ("899999999999999.99", 89_999_999_999_999_999),
    ])
    func parsesDecimalStringsToCents(text: String, cents: Int64) {
        #expect(USDCents(decimalString: text)?.cents == cents)
        var copy = text
        #expect(copy.withUTF8 { USDCents(utf8: $0) }?.cents == cents)
        #expect(USDCents(decimalString: "x\(text)".dropFirst())?.cents == cents)  // a substring
    }

    @Test(arguments: ["", ".", "1e5", "NaN", "1.2.3", " 1", "abc", "--1", "-", "+.", "1 ", "900000000000000", "٣"])
    func rejectsNonDecimals(text: String) {
        #expect(USDCents(decimalString: text) == nil)
        var copy = text
        #expect(copy.withUTF8 { USDCents(utf8: $0) } == nil)
    }

    @Test func convertsLegacyReals() {
        #expect(USDCents(dollars: 64123.45)?.cents == 6_412_345)
        #expect(USDCents(dollars: .nan) == nil)
        #expect(USDCents(dollars: .infinity) == nil)
        #expect(USDCents(cents: 6_412_345).description == "64123.45")
        #expect(USDCents(cents: -5).description == "-0.05")
        #expect(USDCents(cents: 0).description == "0.00")
        #expect(USDCents(cents: 100).description == "1.00")
        #expect(USDCents(cents: -123_456_789).description == "-1234567.89")
        for cents in stride(from: Int64(-100_000), through: 100_000, by: 997) {
            #expect(USDCents(decimalString: USDCents(cents: cents).description)?.cents == cents)
        }
        #expect(CivilDateTime(year: 12345, month: 1, day: 2, hour: 3, minute: 4, second: 5).formatted() == "12345-01-02T03:04:05")
    }
}
