/// One versioned step of the PostgreSQL schema. `sql` may hold several statements and writes the
/// per-user schema as `{schema}`, which the migrator replaces by the quoted configured name.
/// Versions only ever grow; a shipped migration is never edited, a change is a new migration.
public struct Migration: Sendable, Hashable {
    /// Strictly increasing version number, starting at 1.
    public let version: Int
    /// Short description recorded in `schema_migrations` (`initial price_history and heartbeats`).
    public let name: String
    /// The statements, with `{schema}` for the schema name.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The statements for one schema.
    public func sql(for schema: PostgresIdentifier) -> String {
        sql.replacingOccurrences(of: "{schema}", with: schema.quoted)
    }
}
