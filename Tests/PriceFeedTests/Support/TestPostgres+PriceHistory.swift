import StorageKit

extension TestPostgres {
    /// The stored price history: UTC second → (price text, source). Empty before the table exists.
    static func priceHistory(_ schema: PostgresIdentifier, _ connection: PostgresConnection) async throws -> [(second: Int64, price: String, source: String)] {
        let exists = try await connection.query("SELECT to_regclass($1) IS NOT NULL", ["\(schema.quoted).price_history"])
        guard exists.scalar == "t" else { return [] }
        let rows = try await connection.query(
            "SELECT extract(epoch FROM ts)::bigint, price::text, source FROM \(schema.quoted).price_history ORDER BY ts")
        return rows.rows.map { (Int64($0[0]!)!, $0[1]!, $0[2]!) }
    }
}
