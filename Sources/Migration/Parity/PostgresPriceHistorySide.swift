import Foundation
import StorageKit

/// The PostgreSQL side of a price-history parity run: checksums computed inside the server, one
/// row per segment, and the rows of small ranges for the final row-by-row comparison.
struct PostgresPriceHistorySide: ParitySide {
    /// The first connection runs everything; the others share large scans (`PostgresParityQueries`).
    let connections: [PostgresConnection]
    let table: String

    init(connections: [PostgresConnection], schema: PostgresIdentifier) throws {
        precondition(!connections.isEmpty, "a PostgreSQL side needs a connection")
        self.connections = connections
        self.table = PostgresIdentifier.qualified(schema, try PostgresIdentifier("price_history"))
    }

    var connection: PostgresConnection { connections[0] }

    var name: String { table }

    /// `CanonicalRowHash` of a row, computed in the server over its instant and price.
    static let rowHash = CanonicalRowHash.sql(instant: "ts", price: "price")

    func scan(from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> ParityScan {
        ParityScan(segments: try await PostgresParityQueries.segments(connections, table: table, rowHash: Self.rowHash,
                                                                      from: from, to: to, origin: origin, step: step))
    }

    func rows(from: Int64, to: Int64) async throws -> [ParityRow] {
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
            return ParityRow(second: s, key: "", value: USDText.format(p.cents), source: row[2] ?? "")
        }
    }

    func span() async throws -> (first: Int64, last: Int64)? {
        try await PostgresParityQueries.span(connection, table: table)
    }
}
