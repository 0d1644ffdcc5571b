import Testing
import StorageKit
@testable import KalshiKit

@Suite struct EventTickerTests {
    /// (UTC instant, expected current event). Instants are written in UTC; New York is UTC−4 in
    /// summer (EDT) and UTC−5 in winter (EST).
    static let table: [(String, String)] = [
        ("2025-08-08T20:30:00Z", "KXBTCD-25AUG0817"),   // 16:30 EDT → closes 17:00
        ("2025-08-08T20:59:59Z", "KXBTCD-25AUG0817"),   // last second of the 17:00 event
        ("2025-08-08T21:00:00Z", "KXBTCD-25AUG0818"),   // 17:00:00 EDT exactly: rolled over
        ("2025-08-08T03:15:00Z", "KXBTCD-25AUG0800"),   // 23:15 EDT on Aug 7 → closes midnight, Aug 8 00
        ("2025-08-08T04:00:00Z", "KXBTCD-25AUG0801"),   // 00:00 EDT exactly
        ("2025-08-31T23:30:00Z", "KXBTCD-25AUG3120"),   // month end, evening
        ("2025-09-01T03:30:00Z", "KXBTCD-25SEP0100"),   // 23:30 EDT Aug 31 → Sep 1 00:00: month rollover
        ("2026-01-01T04:30:00Z", "KXBTCD-26JAN0100"),   // 23:30 EST Dec 31 → 00:00 Jan 1
        ("2026-01-01T03:59:59Z", "KXBTCD-25DEC3123"),   // 22:59:59 EST Dec 31
        ("2026-01-01T04:59:59Z", "KXBTCD-26JAN0100"),   // 23:59:59 EST Dec 31 → Jan 1 00:00: year rollover
        ("2026-01-01T05:00:00Z", "KXBTCD-26JAN0101"),   // 00:00 EST Jan 1
        // Spring forward, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
        ("2026-03-08T06:30:00Z", "KXBTCD-26MAR0803"),   // 01:30 EST → next top of hour is 03:00 EDT
        ("2026-03-08T07:00:00Z", "KXBTCD-26MAR0804"),   // 03:00 EDT exactly
        ("2026-03-08T05:30:00Z", "KXBTCD-26MAR0801"),   // 00:30 EST
        // Fall back, 2025-11-02: 02:00 EDT goes back to 01:00 EST (06:00Z).
        ("2025-11-02T04:30:00Z", "KXBTCD-25NOV0201"),   // 00:30 EDT → 01:00 EDT
        ("2025-11-02T05:30:00Z", "KXBTCD-25NOV0201"),   // 01:30 EDT → 01:00 EST: same wall-clock name
        ("2025-11-02T06:30:00Z", "KXBTCD-25NOV0202"),   // 01:30 EST → 02:00 EST
        ("2025-11-02T07:00:00Z", "KXBTCD-25NOV0203"),   // 02:00 EST exactly
        // Leap day.
        ("2028-02-29T04:59:00Z", "KXBTCD-28FEB2900"),
        ("2028-03-01T04:59:00Z", "KXBTCD-28MAR0100"),
    ]

    @Test func currentEventOverInstants() throws {
        for (instant, expected) in Self.table {
            let t = try #require(UTCTime.parseEpochSeconds(instant), "bad instant \(instant)")
            #expect(EventTicker(series: "KXBTCD", at: t).description == expected, "at \(instant)")
        }
    }

    @Test func closeIsTheNextTopOfTheHourAndNextFollows() throws {
        let t = try #require(UTCTime.parseEpochSeconds("2025-08-08T20:00:00Z"))
        let event = EventTicker(series: "KXBTC", at: t)
        #expect(event.closeEpochSeconds == t + 3600)
        #expect(event.description == "KXBTC-25AUG0817")
        #expect(event.next.description == "KXBTC-25AUG0818")
        // Current and next differ (the legacy computed both as now + 1 h).
        #expect(event.next != event)
        // Every second of an hour maps to the same event.
        for s in stride(from: t, to: t + 3600, by: 97) {
            #expect(EventTicker(series: "KXBTC", at: s) == event)
        }
    }
}
