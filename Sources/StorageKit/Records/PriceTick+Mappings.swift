import Foundation
import PriceAnalytics

extension PriceTick {
    /// `price_history`: one row per UTC second, range-partitioned by month on `ts`.
    public static var postgres: PostgresMapping<PriceTick>? {
        PostgresMapping(
            table: "price_history",
            columns: ["ts", "price", "source"],
            conflictColumns: ["ts"],
            onConflict: .doNothing,
            monthlyPartition: .init(column: "ts", epochSeconds: { $0.second }),
            encode: { [UTCTime.postgresText(epochSeconds: $0.second), $0.price.description, $0.source.rawValue] },
            decode: { row in
                guard row.count == 3, let ts = row[0].flatMap(UTCTime.parseEpochSeconds),
                      let price = row[1].flatMap({ USDCents(decimalString: $0) }), let source = row[2] else {
                    throw StorageError(.corruptData, subject: dataset, "undecodable price_history row \(row)")
                }
                return PriceTick(second: ts, price: price, source: PriceSource(rawValue: source))
            },
            encodeCopy: { tick, row in
                row.timestamp(epochSeconds: tick.second)
                row.cents(tick.price.cents)
                try row.field(tick.source.rawValue)
            },
            // timestamptz, numeric(14,2), text: each written by its typed writer.
            copyFormat: .binary
        )
    }

    /// The legacy REC.IO v2 `price_log` table, exactly as `btc_price_watchdog.py` created and wrote it.
    public static var sqlite: SQLiteMapping<PriceTick>? {
        SQLiteMapping(
            table: "price_log",
            createSQL: """
                CREATE TABLE IF NOT EXISTS price_log (timestamp TEXT PRIMARY KEY, price REAL, one_minute_avg REAL, \
                momentum REAL, delta_1m REAL, delta_2m REAL, delta_3m REAL, delta_4m REAL, delta_15m REAL, delta_30m REAL)
                """,
            // INSERT OR REPLACE, as the legacy did: a second written twice keeps the later write. It is
            // what makes a replay idempotent here, and what overwrote EDT rows in the fall-back hour.
            insertSQL: """
                INSERT OR REPLACE INTO price_log (timestamp, price, one_minute_avg, momentum, delta_1m, delta_2m, \
                delta_3m, delta_4m, delta_15m, delta_30m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            forEachRow: { batch, context, emit in try LegacyPriceLog.forEachRow(batch, context, emit) },
            trim: .init(
                sql: "DELETE FROM price_log WHERE timestamp < ?",
                parameter: { now in .text(NewYorkTime.legacyText(epochSeconds: Int64(now.timeIntervalSince1970) - LegacyPriceLog.retentionSeconds)) }
            ),
            selectSQL: """
                SELECT timestamp, price, momentum, delta_1m, delta_2m, delta_3m, delta_4m, delta_15m, delta_30m \
                FROM price_log ORDER BY timestamp
                """,
            decode: { row in LegacyPriceLog.decode(row) }
        )
    }

    /// Archive export: one JSON object per second, rotated by hour.
    public static var json: JSONMapping<PriceTick>? {
        JSONMapping(archive: .codable(stream: "price_ticks", epochSeconds: { $0.second }))
    }
}

/// The legacy `price_log` semantics in one place.
public enum LegacyPriceLog {
    /// The legacy trimmed rows older than 30 days after every insert.
    public static let retentionSeconds: Int64 = 30 * 86_400

    /// How a legacy key in the autumn fall-back hour is read: as the EST (second) instant, since the
    /// legacy `INSERT OR REPLACE` made the EST pass overwrite the EDT one wherever both had a tick.
    public static func instant(forLegacyKey text: some StringProtocol) -> Int64? {
        switch NewYorkTime.resolve(legacyText: text) {
        case .unique(let t): return t
        case .ambiguous(_, let est): return est
        case .nonexistent, .malformed: return nil
        }
    }

    /// Bound values for a batch, handed to `emit` row by row in time order. `one_minute_avg` follows
    /// the legacy definition: the mean price of the rows of the preceding 60 seconds, excluding the
    /// row being written, falling back to the latest earlier row's price, then 0.0. (The legacy took
    /// "rows with key ≥ now−60 s" at insert time; for rows written in time order that is the same
    /// set. Using [t−60 s, t) keeps a replay of the same batch byte-identical.)
    static func forEachRow(_ batch: [PriceTick], _ context: SQLiteRowContext, _ emit: ([SQLiteValue]) throws -> Void) throws {
        // A live batch comes in time order already; sorting it anyway would copy every tick.
        let inOrder = batch.indices.dropFirst().allSatisfy { batch[$0 - 1].second <= batch[$0].second }
        let sorted = inOrder ? batch : batch.sorted { $0.second < $1.second }
        guard let first = sorted.first else { return }
        // Seed the running average with the stored rows of the minute before the first tick, plus the
        // latest row before that minute (the legacy fallback). Keys are compared with an hour of
        // margin and filtered on the decoded second, because in the fall-back hour local keys are not
        // in time order.
        var average = OneMinuteAverage(windowSeconds: 60)
        var seeds: [(second: Int64, cents: Int64)] = []
        let windowStart = first.second - 60
        let rows = try context.query(
            "SELECT timestamp, price FROM price_log WHERE timestamp >= ? AND timestamp < ? ORDER BY timestamp",
            [.text(NewYorkTime.legacyText(epochSeconds: windowStart - 3600)), .text(NewYorkTime.legacyText(epochSeconds: first.second + 3600))]
        )
        for row in rows {
            if let key = row[0].text, let t = instant(forLegacyKey: key), t < first.second,
               let d = row[1].double, let c = USDCents(dollars: d) {
                seeds.append((t, c.cents))
            }
        }
        if !seeds.contains(where: { $0.second < windowStart }) {
            let older = try context.query(
                "SELECT timestamp, price FROM price_log WHERE timestamp < ? ORDER BY timestamp DESC LIMIT 1",
                [.text(NewYorkTime.legacyText(epochSeconds: windowStart - 3600))]
            )
            if let row = older.first, let key = row[0].text, let t = instant(forLegacyKey: key), t < windowStart,
               let d = row[1].double, let c = USDCents(dollars: d) {
                seeds.append((t, c.cents))
            }
        }
        seeds.sort { $0.second < $1.second }
        // Only the latest row before the window matters as a fallback; then the window itself.
        if let fallback = seeds.last(where: { $0.second < windowStart }) { average.record(second: fallback.second, cents: fallback.cents) }
        for seed in seeds where seed.second >= windowStart { average.record(second: seed.second, cents: seed.cents) }

        func real(_ v: Double?) -> SQLiteValue { v.map { $0.isFinite ? SQLiteValue.real($0) : .null } ?? .null }
        // One array, refilled for every row: `emit` binds it and lets it go, so it stays unique and
        // is overwritten in place.
        var row = [SQLiteValue](repeating: .null, count: 10)
        // By index, reading fields in place: a `for tick in` loop copies every tick (and retains
        // its source text) only to read three fields.
        for i in sorted.indices {
            let second = sorted[i].second
            let mean = average.average(at: second).legacyDollars
            average.record(second: second, cents: sorted[i].price.cents)
            row[0] = .text(NewYorkTime.legacyText(epochSeconds: second))
            row[1] = .real(sorted[i].price.dollars)
            row[2] = .real(mean)
            if let legacy = sorted[i].legacyColumns {
                row[3] = real(legacy.momentum)
                row[4] = real(legacy.delta1m)
                row[5] = real(legacy.delta2m)
                row[6] = real(legacy.delta3m)
                row[7] = real(legacy.delta4m)
                row[8] = real(legacy.delta15m)
                row[9] = real(legacy.delta30m)
            } else {
                for column in 3..<10 { row[column] = .null }
            }
            try emit(row)
        }
    }

    /// The legacy row values for a batch written to an empty file (benchmark baselines feed the same
    /// values to `sqlite3 .import`).
    public static func bindRowsForBenchmark(_ batch: [PriceTick]) throws -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        rows.reserveCapacity(batch.count)
        try forEachRow(batch, EmptyRowContext()) { rows.append($0) }
        return rows
    }

    private struct EmptyRowContext: SQLiteRowContext {
        func query(_ sql: String, _ parameters: [SQLiteValue]) throws -> [SQLiteRowValues] { [] }
    }

    /// One `price_log` row as a tick; `nil` for a row that cannot be one (bad key, spring-forward
    /// time, missing or non-positive price).
    static func decode(_ row: SQLiteRowValues) -> PriceTick? {
        guard row.count == 9, let key = row[0].text, let second = instant(forLegacyKey: key),
              let d = row[1].double, let price = USDCents(dollars: d), price.cents > 0 else { return nil }
        let legacy = LegacyPriceColumns(
            momentum: row[2].double, delta1m: row[3].double, delta2m: row[4].double, delta3m: row[5].double,
            delta4m: row[6].double, delta15m: row[7].double, delta30m: row[8].double
        )
        return PriceTick(second: second, price: price, source: .legacyBackfill, legacyColumns: legacy)
    }
}
