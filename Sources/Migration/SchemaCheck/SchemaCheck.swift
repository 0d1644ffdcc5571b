import Logging
import StorageKit

/// `recioctl schema check`: compares the live user schema with what this binary's migrations
/// define. The expected shape is not written down twice: the migrations are applied to a scratch
/// schema inside a transaction that is rolled back (`PostgresConnection.referenceCatalog`), and
/// the two catalogs are compared, so every new migration is covered without touching this code.
public struct SchemaCheck: Sendable {
    public let schema: PostgresIdentifier
    public let migrations: [Migration]
    private let logger: Logger

    public init(schema: PostgresIdentifier, migrations: [Migration] = StorageSchema.migrations, logger: Logger) {
        self.schema = schema
        self.migrations = migrations
        self.logger = logger
    }

    /// Runs the check on `connection` (read-only for the user schema).
    public func run(on connection: PostgresConnection) async throws -> SchemaCheckReport {
        let migrator = SchemaMigrator(schema: schema, migrations: migrations, logger: logger)
        let applied = try await migrator.appliedVersions(on: connection).sorted()
        let schema = self.schema
        let actual = try await connection.withReconnect("read schema \(schema.name)") { conn in
            try conn.schemaCatalog(schema)
        }
        let migrations = self.migrations
        let expected: SchemaCatalog
        do {
            expected = try await connection.withReconnect("build the reference schema") { conn in
                try conn.referenceCatalog(migrations: migrations)
            }
        } catch let error as PostgresError where error.sqlState == "42501" {
            throw MigrationError(.permissionDenied, subject: "postgres",
                                 "building the reference schema needs the CREATE privilege on the database (\(error.message)); "
                                     + "run the check as the database owner, e.g. with PGUSER or --conninfo naming an admin role")
        }
        let known = migrations.map(\.version).sorted()
        return SchemaCheckReport(
            schema: schema.name,
            knownVersions: known,
            appliedVersions: applied,
            pendingVersions: known.filter { !applied.contains($0) },
            unknownVersions: applied.filter { !known.contains($0) },
            differences: actual.differences(from: expected),
            partitions: actual.tables.values.filter { !$0.partitionKey.isEmpty }
                .reduce(into: [:]) { $0[$1.name] = $1.partitionCount }
        )
    }
}
