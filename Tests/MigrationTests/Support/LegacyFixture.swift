import Foundation
import StorageKit

/// Builds a legacy `btc_price_history.db` the way `btc_price_watchdog.py` left it: the exact
/// `price_log` schema, New York local keys written with `INSERT OR REPLACE` in time order (so in
/// the fall-back hour the EST pass overwrites the EDT one where it has a tick), seconds without a
/// tick, NULL derived columns on some rows, the 30-day trim, and a few corrupt rows.
struct LegacyFixture {
    /// 2024-11-03: New York falls back at 06:00 UTC (02:00 EDT → 01:00 EST).
    static let fallBack: Int64 = NewYorkTime.dstBounds(year: 2024).end
    /// Rows written from here (04:00 UTC, 00:00 EDT) ...
    static let start: Int64 = fallBack - 2 * 3600
    /// ... to here (exclusive, 09:00 UTC).
    static let end: Int64 = fallBack + 3 * 3600
    /// An hour written 31 days before `start`, removed by the legacy 30-day trim.
    static let trimmedStart: Int64 = start - 31 * 86_400

    /// Seconds the legacy never wrote (no tick).
    static func skipped(_ t: Int64) -> Bool { t % 97 == 0 }
    /// In the EST pass of the repeated hour, seconds without a tick keep the EDT row.
    static func estSkipped(_ t: Int64) -> Bool { t % 10 == 3 }

    static func cents(_ t: Int64) -> Int64 { 6_400_000 + (t % 5000) }

    /// The raw corrupt rows (key, price) inserted besides the ticks.
    static let corruptCount = 7

    let path: String
    /// Seconds the backfill should load, with their cents.
    private(set) var expected: [Int64: Int64] = [:]
    private(set) var ambiguousRows = 0
    private(set) var rowsInFile = 0

    init(path: String) throws {
        self.path = path
        let db = try SQLiteConnection(path: path)
        try db.execute(PriceTick.sqlite!.createSQL)
        let insert = "INSERT OR REPLACE INTO price_log (timestamp, price, one_minute_avg, momentum, delta_1m, delta_2m, delta_3m, delta_4m, delta_15m, delta_30m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        try db.transaction {
            for t in Array(Self.trimmedStart..<(Self.trimmedStart + 3600)) + Array(Self.start..<Self.end) where !Self.skipped(t) {
                let inEST = t >= Self.fallBack && t < Self.fallBack + 3600
                if inEST && Self.estSkipped(t) { continue }
                // Prices as the legacy REAL; every 50th has a third decimal (a tie, rounded to even).
                let dollars = Double(Self.cents(t)) / 100 + (t % 50 == 0 ? 0.005 : 0)
                let derived: [SQLiteValue] = t % 7 == 0
                    ? Array(repeating: .null, count: 8)
                    : [.real(dollars), .real(0.1), .real(0.01), .real(0.02), .real(0.03), .real(0.04), .real(0.15), .real(0.3)]
                try db.execute(insert, [.text(NewYorkTime.legacyText(epochSeconds: t)), .real(dollars)] + derived)
            }
        }
        // The legacy trim after the last insert: keys older than now − 30 days (local text).
        try db.execute("DELETE FROM price_log WHERE timestamp < ?", [.text(NewYorkTime.legacyText(epochSeconds: Self.end - 1 - LegacyPriceLog.retentionSeconds))])
        // Corrupt rows.
        let nulls: [SQLiteValue] = Array(repeating: .null, count: 8)
        try db.execute(insert, [.text("2024-11-03T03:10:00"), .null] + nulls)               // NULL price
        try db.execute(insert, [.text("2024-11-03T03:10:01"), .text("n/a")] + nulls)        // text price
        try db.execute(insert, [.text("2024-11-03T03:10:02"), .real(-5)] + nulls)           // negative price
        try db.execute(insert, [.text("2024-03-10T02:30:00"), .real(64000)] + nulls)        // spring-forward key
        try db.execute(insert, [.text("garbage"), .real(64000)] + nulls)                    // not a timestamp
        try db.execute(insert, [.null, .real(64000)] + nulls)                               // NULL key
        try db.execute(insert, [.integer(1_730_600_000), .real(64000)] + nulls)             // numeric key
        db.close()

        // What should be loaded: re-read the file the way the rule says.
        let check = try SQLiteConnection(path: path, options: .init(readOnly: true))
        for row in try check.query("SELECT timestamp, price FROM price_log", []) {
            rowsInFile += 1
            guard let key = row[0].text, case .ambiguous(_, let est) = NewYorkTime.resolve(legacyText: key) else {
                if let key = row[0].text, case .unique(let t) = NewYorkTime.resolve(legacyText: key), key.contains("T"),
                   let d = row[1].double, d > 0 {
                    expected[t] = USDCents(dollars: d)!.cents
                }
                continue
            }
            ambiguousRows += 1
            expected[est] = USDCents(dollars: row[1].double!)!.cents
        }
        check.close()
    }
}
