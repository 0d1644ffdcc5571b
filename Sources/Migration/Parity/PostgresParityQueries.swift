import StorageKit

/// The queries every PostgreSQL parity side runs, over a table with a `ts` column and a SQL
/// expression for the canonical row hash: checksums per segment computed inside the server (one
/// row per segment crosses the network) and the table's span.
enum PostgresParityQueries {
    /// Checksums per segment `k` = `[origin + k·step, origin + (k+1)·step)` of `[from, to)`.
    /// `rowHash` may use every column of the table.
    ///
    /// With more than one connection, a window that spans months is cut at month starts (the
    /// tables are partitioned by month, so each partition is read by one query) into one part per
    /// connection, and the parts run concurrently; their checksums add up (a segment cut in two is
    /// the sum of its halves).
    static func segments(_ connections: [PostgresConnection], table: String, rowHash: String,
                         from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> [Int64: SegmentChecksum] {
        let parts = monthParts(from: from, to: to, count: connections.count)
        guard parts.count > 1 else {
            return try await segments(connections[0], table: table, rowHash: rowHash, from: from, to: to, origin: origin, step: step)
        }
        return try await withThrowingTaskGroup(of: [Int64: SegmentChecksum].self) { group in
            for (part, connection) in zip(parts, connections) {
                group.addTask {
                    try await segments(connection, table: table, rowHash: rowHash, from: part.lowerBound, to: part.upperBound, origin: origin, step: step)
                }
            }
            var result: [Int64: SegmentChecksum] = [:]
            for try await part in group {
                for (k, checksum) in part { result[k, default: SegmentChecksum()].merge(checksum) }
            }
            return result
        }
    }

    /// One query over `[from, to)`. The segment is `date_bin` of the timestamp (integer arithmetic
    /// on the stored microseconds), turned into its number once per segment, not per row.
    static func segments(_ connection: PostgresConnection, table: String, rowHash: String,
                         from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> [Int64: SegmentChecksum] {
        let sql = """
            SELECT ((date_part('epoch', b)::bigint - $3::bigint) / $4::bigint)::text, count(*)::text, sum(h)::text FROM (
                SELECT date_bin(make_interval(secs => $4::double precision), ts, to_timestamp($3::double precision)) AS b, \(rowHash) AS h
                FROM \(table) WHERE ts >= to_timestamp($1::double precision) AND ts < to_timestamp($2::double precision)
            ) AS s GROUP BY b
            """
        let rows = try await connection.withReconnect("parity checksums") { conn in
            // No parallel workers: the window is already split between connections, one per core,
            // and the server's own parallel plan (Gather over a Partial HashAggregate) doubled the
            // CPU of the checksums (25 M rows: 11.6–11.9 CPU-s against 5.8–6.1) and was slower.
            _ = try conn.execute("SET max_parallel_workers_per_gather = 0")
            return try conn.query(sql, [String(from), String(to), String(origin), String(step)])
        }
        var result: [Int64: SegmentChecksum] = [:]
        for row in rows.rows {
            guard row.count == 3, let k = row[0].flatMap({ Int64($0) }), let n = row[1].flatMap({ Int($0) }),
                  let h = row[2].flatMap(SegmentChecksum.wrappingSum) else {
                throw MigrationError(.invalidSource, subject: table, "unexpected checksum row \(row)")
            }
            result[k] = SegmentChecksum(count: n, hash: h)
        }
        return result
    }

    /// `[from, to)` cut into at most `count` parts at UTC month starts, each cut the month start
    /// nearest an even share of the window (a window within one month stays whole).
    static func monthParts(from: Int64, to: Int64, count: Int) -> [Range<Int64>] {
        guard count > 1, from < to else { return [from..<max(from, to)] }
        var cuts: [Int64] = []
        for i in 1..<count {
            let target = from + (to - from) * Int64(i) / Int64(count)
            let month = PartitionMonth(epochSeconds: target)
            let (before, after) = (month.startEpochSeconds, month.next.startEpochSeconds)
            let cut = target - before <= after - target ? before : after
            if cut > from && to > cut && cut > (cuts.last ?? from) { cuts.append(cut) }
        }
        let bounds = [from] + cuts + [to]
        return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
    }

    /// First and last second stored (`nil` when empty).
    static func span(_ connection: PostgresConnection, table: String) async throws -> (first: Int64, last: Int64)? {
        let rows = try await connection.withReconnect("parity span") { conn in
            try conn.query("SELECT extract(epoch FROM min(ts))::bigint::text, extract(epoch FROM max(ts))::bigint::text FROM \(table)")
        }
        guard let row = rows.rows.first, let a = row[0].flatMap({ Int64($0) }), let b = row[1].flatMap({ Int64($0) }) else { return nil }
        return (a, b)
    }
}
