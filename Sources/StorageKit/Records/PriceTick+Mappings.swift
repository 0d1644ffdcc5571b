import Foundation

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
            }
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
            bindRows: { batch, context in try LegacyPriceLog.bindRows(batch, context) },
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

    /// Bound values for a batch. `one_minute_avg` follows the legacy definition: the mean price of
    /// the rows of the preceding 60 seconds, excluding the row being written, falling back to the
    /// latest earlier row's price, then 0.0. (The legacy took "rows with key ≥ now−60 s" at insert
    /// time; for rows written in time order that is the same set. Using [t−60 s, t) keeps a replay
    /// of the same batch byte-identical.)
    static func bindRows(_ batch: [PriceTick], _ context: SQLiteRowContext) throws -> [[SQLiteValue]] {
        let sorted = batch.sorted { $0.second < $1.second }
        guard let first = sorted.first else { return [] }
        // Seed the window with the stored rows of the minute before the first tick.
        var window: [(second: Int64, cents: Int64)] = []
        let seedRows = try context.query(
            "SELECT timestamp, price FROM price_log WHERE timestamp >= ? AND timestamp < ? ORDER BY timestamp",
            [.text(NewYorkTime.legacyText(epochSeconds: first.second - 60)), .text(NewYorkTime.legacyText(epochSeconds: first.second))]
        )
        for row in seedRows {
            if let key = row[0].text, let t = instant(forLegacyKey: key), let d = row[1].double, let c = USDCents(dollars: d),
               t >= first.second - 60, t < first.second {
                window.append((t, c.cents))
            }
        }
        window.sort { $0.second < $1.second }
        var lastPrice: Double? = nil
        if window.isEmpty {
            let latest = try context.query(
                "SELECT price FROM price_log WHERE timestamp < ? ORDER BY timestamp DESC LIMIT 1",
                [.text(NewYorkTime.legacyText(epochSeconds: first.second))]
            )
            lastPrice = latest.first?[0].double
        }
        var head = 0
        var sum: Int64 = window.reduce(0) { $0 + $1.cents }
        var rows: [[SQLiteValue]] = []
        rows.reserveCapacity(sorted.count)
        for tick in sorted {
            while head < window.count, window[head].second < tick.second - 60 {
                sum -= window[head].cents
                head += 1
            }
            let n = window.count - head
            let avg: Double = n > 0 ? Double(sum) / Double(n) / 100 : (lastPrice ?? 0.0)
            let legacy = tick.legacyColumns
            func real(_ v: Double?) -> SQLiteValue { v.map { $0.isFinite ? SQLiteValue.real($0) : .null } ?? .null }
            rows.append([
                .text(NewYorkTime.legacyText(epochSeconds: tick.second)),
                .real(tick.price.dollars),
                .real(avg),
                real(legacy?.momentum), real(legacy?.delta1m), real(legacy?.delta2m), real(legacy?.delta3m),
                real(legacy?.delta4m), real(legacy?.delta15m), real(legacy?.delta30m),
            ])
            window.append((tick.second, tick.price.cents))
            sum += tick.price.cents
            lastPrice = tick.price.dollars
            if head > 4096 {  // keep the array from growing without bound on large batches
                window.removeFirst(head)
                head = 0
            }
        }
        return rows
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
