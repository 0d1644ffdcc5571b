import Synchronization

/// Reads the price history from a legacy `price_log` file (read-only; the legacy watchdog or our
/// `SQLiteWriter` may be writing it at the same time, which WAL allows).
///
/// Keys are New York local text. A UTC range is turned into a key range widened by an hour on each
/// side (local time runs one hour back at the autumn fall-back), searched through the primary-key
/// index, and the rows are then filtered by their decoded second. A key of the fall-back hour is
/// read as its EST instant (`LegacyPriceLog.instant(forLegacyKey:)`).
///
/// Rows that cannot be ticks (NULL or non-positive price, a garbage or spring-forward key) never
/// fail a read: they are counted in `rejectedCount` and returned by the `...WithRejections` methods.
public final class SQLitePriceHistoryReader: PriceHistoryReader {
    /// `sqlite`.
    public let name = "sqlite"
    /// The database file.
    public let path: String
    private let database: SQLiteDatabase
    private let rejected = Mutex(0)

    /// The `price_log` columns, in the order `LegacyPriceLog.decode` expects.
    static let columns = "timestamp, price, momentum, delta_1m, delta_2m, delta_3m, delta_4m, delta_15m, delta_30m"
    static let rangeSQL = "SELECT \(columns) FROM price_log WHERE timestamp >= ? AND timestamp <= ? ORDER BY timestamp"
    static let latestSQL = "SELECT \(columns) FROM price_log ORDER BY timestamp DESC LIMIT ? OFFSET ?"

    /// Opens `path` read-only and checks it (`quick_check`, then that `price_log` exists).
    ///
    /// - Throws: `SQLiteError` — `.cantOpen` for a missing file, `.notADatabase` for a file that is
    ///   not SQLite, `.corrupt` for a damaged one, `.prepareFailed` when there is no `price_log`.
    public init(path: String, busyTimeout: Duration = .seconds(5)) async throws {
        self.path = path
        self.database = SQLiteDatabase(path: path, options: .init(busyTimeout: busyTimeout, readOnly: true)) { connection in
            try connection.quickCheck()
            _ = try connection.prepare(Self.rangeSQL)
        }
        try await database.open()
    }

    /// Rows seen so far that could not be decoded.
    public var rejectedCount: Int { rejected.withLock { $0 } }

    public func ticks(from: Int64, to: Int64) async throws -> [PriceTick] {
        try await ticksWithRejections(from: from, to: to).records
    }

    /// Ticks with `from <= second < to`, ascending, and the rows of the searched key range that could
    /// not be decoded.
    public func ticksWithRejections(from: Int64, to: Int64) async throws -> SQLiteReadResult<PriceTick> {
        guard from < to else { return SQLiteReadResult(records: [], rejected: []) }
        // Local keys are in time order except around an autumn fall-back, where local time is at
        // most one hour behind its usual place; only a range near one is widened by an hour on each
        // side (so a 1-second incremental read scans one row, not two hours of them).
        let margin: Int64 = Self.nearFallBack(from: from, to: to) ? 3600 : 0
        let low = NewYorkTime.legacyText(epochSeconds: from - margin)
        let high = NewYorkTime.legacyText(epochSeconds: to + margin)
        let rows = try await database.read { connection in
            try connection.query(Self.rangeSQL, [.text(low), .text(high)])
        }
        var result = SQLiteReadResult<PriceTick>(records: [], rejected: [])
        for row in rows {
            if let tick = LegacyPriceLog.decode(row) {
                if tick.second >= from, tick.second < to { result.records.append(tick) }
            } else {
                result.rejected.append(SQLiteRejectedRow(values: row, reason: Self.rejectionReason(row)))
            }
        }
        result.records.sort { $0.second < $1.second }
        rejected.withLock { $0 += result.rejected.count }
        return result
    }

    /// Whether `[from - 2 h, to + 2 h]` contains an autumn fall-back instant (DST end).
    static func nearFallBack(from: Int64, to: Int64) -> Bool {
        let first = CivilDateTime(epochSeconds: from - 7200).year
        let last = CivilDateTime(epochSeconds: to + 7200).year
        guard first >= 2007 else { return true }  // before the 2007 rule: stay conservative
        return (first...last).contains { year in
            let end = NewYorkTime.dstBounds(year: year).end
            return end >= from - 7200 && end <= to + 7200
        }
    }

    public func latest() async throws -> PriceTick? {
        try await latestWithRejections().tick
    }

    /// The newest decodable tick (by key, as the legacy readers took it), and the undecodable rows
    /// with later keys that were skipped to find it.
    public func latestWithRejections() async throws -> (tick: PriceTick?, rejected: [SQLiteRejectedRow]) {
        var skipped: [SQLiteRejectedRow] = []
        var offset: Int64 = 0
        let page: Int64 = 64
        while true {
            let rows = try await database.read { [offset] connection in
                try connection.query(Self.latestSQL, [.integer(page), .integer(offset)])
            }
            for row in rows {
                if let tick = LegacyPriceLog.decode(row) {
                    rejected.withLock { $0 += skipped.count }
                    return (tick, skipped)
                }
                skipped.append(SQLiteRejectedRow(values: row, reason: Self.rejectionReason(row)))
            }
            if rows.count < page {
                rejected.withLock { $0 += skipped.count }
                return (nil, skipped)
            }
            offset += page
        }
    }

    public func close() async {
        await database.close()
    }

    /// Why `LegacyPriceLog.decode` refused a row, in words for the parity report.
    static func rejectionReason(_ row: SQLiteRowValues) -> String {
        guard row.count == 9 else { return "expected 9 columns, got \(row.count)" }
        guard let key = row[0].text else { return "timestamp is \(row[0] == .null ? "NULL" : "not text")" }
        switch NewYorkTime.resolve(legacyText: key) {
        case .malformed: return "timestamp \"\(key)\" is not a YYYY-MM-DDTHH:MM:SS local time"
        case .nonexistent: return "timestamp \"\(key)\" is a spring-forward local time that never occurred"
        case .unique, .ambiguous: break
        }
        switch row[1] {
        case .null: return "price is NULL"
        case .text: return "price is text, not a number"
        case .integer, .real:
            guard let d = row[1].double, d.isFinite else { return "price is not finite" }
            return d > 0 ? "price \(d) does not round to a positive amount of cents" : "price \(d) is not positive"
        }
    }
}
