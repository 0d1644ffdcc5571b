import StorageKit

/// The PostgreSQL side of a price-history parity run: checksums computed inside the server, one
/// row per segment, and the rows of small ranges for the final row-by-row comparison.
struct PostgresPriceHistorySide: Sendable {
    let connection: PostgresConnection
    let table: String

    init(connection: PostgresConnection, schema: PostgresIdentifier) throws {
        self.connection = connection
        self.table = PostgresIdentifier.qualified(schema, try PostgresIdentifier("price_history"))
    }

    /// Checksums per segment `k` = `[origin + k·step, origin + (k+1)·step)` of `[from, to)`.
    func segments(from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> [Int64: SegmentChecksum] {
        // date_part (a double, exact for whole seconds) is cheaper than extract (a numeric).
        let sql = """
            SELECT segment::text, count(*)::text, sum(h)::text FROM (
                SELECT (e - $3::bigint) / $4::bigint AS segment, \(CanonicalRowHash.sql(second: "e", price: "price")) AS h
                FROM (SELECT date_part('epoch', ts)::bigint AS e, price FROM \(table)
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

    /// The rows of `[from, to)`, ascending.
    func rows(from: Int64, to: Int64) async throws -> [(second: Int64, cents: Int64, source: String)] {
        let sql = """
            SELECT extract(epoch FROM ts)::bigint::text, price::text, source FROM \(table)
            WHERE ts >= to_timestamp($1::double precision) AND ts < to_timestamp($2::double precision) ORDER BY ts
            """
        let rows = try await connection.withReconnect("parity rows") { conn in
            try conn.query(sql, [String(from), String(to)])
        }
        return try rows.rows.map { row in
            guard let s = row[0].flatMap({ Int64($0) }), let p = row[1].flatMap({ USDCents(decimalString: $0) }) else {
                throw MigrationError(.invalidSource, subject: table, "unexpected row \(row)")
            }
            return (s, p.cents, row[2] ?? "")
        }
    }

    /// First and last second stored (`nil` when empty).
    func span() async throws -> (first: Int64, last: Int64)? {
        let rows = try await connection.withReconnect("parity span") { conn in
            try conn.query("SELECT extract(epoch FROM min(ts))::bigint::text, extract(epoch FROM max(ts))::bigint::text FROM \(table)")
        }
        guard let row = rows.rows.first, let a = row[0].flatMap({ Int64($0) }), let b = row[1].flatMap({ Int64($0) }) else { return nil }
        return (a, b)
    }
}
