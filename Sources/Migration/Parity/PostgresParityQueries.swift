import StorageKit

/// The queries every PostgreSQL parity side runs, over a table with a `ts` column and a SQL
/// expression for the canonical row hash: checksums per segment computed inside the server (one
/// row per segment crosses the network) and the table's span.
enum PostgresParityQueries {
    /// Checksums per segment `k` = `[origin + k·step, origin + (k+1)·step)` of `[from, to)`.
    /// `rowHash` may use every column of the table and `e`, the row's epoch second.
    static func segments(_ connection: PostgresConnection, table: String, rowHash: String,
                         from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> [Int64: SegmentChecksum] {
        let sql = """
            SELECT segment::text, count(*)::text, sum(h)::text FROM (
                SELECT (e - $3::bigint) / $4::bigint AS segment, \(rowHash) AS h
                -- date_part (a double, exact for whole seconds) is cheaper than extract (a numeric).
                FROM (SELECT date_part('epoch', ts)::bigint AS e, * FROM \(table)
                      WHERE ts >= to_timestamp($1::double precision) AND ts < to_timestamp($2::double precision)) AS r
            ) AS s GROUP BY segment
            """
        let rows = try await connection.withReconnect("parity checksums") { conn in
            try conn.query(sql, [String(from), String(to), String(origin), String(step)])
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

    /// First and last second stored (`nil` when empty).
    static func span(_ connection: PostgresConnection, table: String) async throws -> (first: Int64, last: Int64)? {
        let rows = try await connection.withReconnect("parity span") { conn in
            try conn.query("SELECT extract(epoch FROM min(ts))::bigint::text, extract(epoch FROM max(ts))::bigint::text FROM \(table)")
        }
        guard let row = rows.rows.first, let a = row[0].flatMap({ Int64($0) }), let b = row[1].flatMap({ Int64($0) }) else { return nil }
        return (a, b)
    }
}
