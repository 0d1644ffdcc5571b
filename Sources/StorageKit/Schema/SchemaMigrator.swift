import Logging

/// Brings one per-user PostgreSQL schema up to the version this binary knows, at start-up.
///
/// - Idempotent: applied versions are recorded in `{schema}.schema_migrations(version, name,
///   applied_at)`; each pending migration runs in its own transaction together with its record.
/// - Race-free: the whole run holds a session advisory lock derived from the schema name, so
///   several daemons starting at once apply each migration exactly once (the others wait, then
///   find nothing to do).
/// - Refuses a newer database: if the schema has a version this binary does not know, `migrate`
///   throws `StorageError(.schemaTooNew)` and changes nothing.
public struct SchemaMigrator: Sendable {
    /// The per-user schema (`user_0001`).
    public let schema: PostgresIdentifier
    /// The known migrations, ascending by version.
    public let migrations: [Migration]
    private let logger: Logger

    /// `migrations` must have unique versions ≥ 1 (a programming error otherwise).
    public init(schema: PostgresIdentifier = .defaultSchema, migrations: [Migration] = StorageSchema.migrations, logger: Logger) {
        let sorted = migrations.sorted { $0.version < $1.version }
        precondition(Set(sorted.map(\.version)).count == sorted.count && (sorted.first?.version ?? 1) >= 1,
                     "migration versions must be unique and start at 1 or more")
        self.schema = schema
        self.migrations = sorted
        var logger = logger
        logger[metadataKey: "postgres.schema"] = .string(schema.name)
        self.logger = logger
    }

    /// The newest version this binary knows (0 when it knows none).
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies the pending migrations and returns the versions it applied (empty when the schema
    /// was up to date). Connection losses are retried with the connection's reconnect policy.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.withReconnect("schema migration") { conn in
            try migrateLocked(conn)
        }
    }

    /// The versions recorded in the schema (empty when it does not exist yet).
    public func appliedVersions(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.withReconnect("schema version check") { conn in
            try readApplied(conn).map(\.version)
        }
    }

    private var lockKey: String { PostgresIdentifier.advisoryLockKey("schema", schema.name) }

    private func migrateLocked(_ conn: isolated PostgresConnection) throws -> [Int] {
        try conn.execute("SELECT pg_advisory_lock($1::bigint)", [lockKey])
        defer { _ = try? conn.execute("SELECT pg_advisory_unlock($1::bigint)", [lockKey]) }

        // CREATE SCHEMA checks the database CREATE privilege even with IF NOT EXISTS, so only
        // issue it when the schema is really missing (an operator may have pre-created it).
        if try conn.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema.name]).isEmpty {
            try conn.executeScript("CREATE SCHEMA IF NOT EXISTS \(schema.quoted)")
        }
        try conn.executeScript(Self.bookkeepingTableSQL(schema))

        let applied = try readApplied(conn)
        let known = Set(migrations.map(\.version))
        let unknown = applied.filter { !known.contains($0.version) }
        if !unknown.isEmpty {
            let list = unknown.map { "\($0.version) (\($0.name))" }.joined(separator: ", ")
            throw StorageError(
                .schemaTooNew, subject: "postgres schema \(schema.name)",
                "the database has schema version \(list), which this binary does not know (it knows up to \(latestVersion)); "
                    + "run a binary at least as new as the one that migrated it, or configure another schema"
            )
        }

        let done = Set(applied.map(\.version))
        var appliedNow: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            try conn.transaction { conn in
                try conn.executeScript(migration.sql(for: schema))
                try conn.execute(
                    "INSERT INTO \(schema.quoted).schema_migrations (version, name) VALUES ($1::integer, $2)",
                    [String(migration.version), migration.name]
                )
            }
            logger.info("applied PostgreSQL schema migration", metadata: [
                "postgres.migration.version": .stringConvertible(migration.version),
                "postgres.migration.name": .string(migration.name),
            ])
            appliedNow.append(migration.version)
        }
        return appliedNow
    }

    /// The `schema_migrations` table that records the applied versions (also built into the
    /// reference schema of `recioctl schema check`, so it is compared like any table).
    static func bookkeepingTableSQL(_ schema: PostgresIdentifier) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(schema.quoted).schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    }

    private func readApplied(_ conn: isolated PostgresConnection) throws -> [(version: Int, name: String)] {
        let exists = try conn.query("SELECT to_regclass($1) IS NOT NULL", ["\(schema.quoted).schema_migrations"])
        guard exists.scalar == "t" else { return [] }
        let rows = try conn.query("SELECT version, name FROM \(schema.quoted).schema_migrations ORDER BY version")
        return rows.rows.compactMap { row in
            guard let v = row[0].flatMap({ Int($0) }) else { return nil }
            return (v, row[1] ?? "")
        }
    }
}
