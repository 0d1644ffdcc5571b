import Foundation
import Logging
import Testing
@testable import StorageKit

/// The PostgreSQL server the tests use: the one the standard libpq variables name (`PGHOST`,
/// `PGPORT`, `PGUSER`, `PGDATABASE`). Without `PGHOST` every PostgreSQL test FAILS — CI must
/// provide a server; nothing is skipped silently.
enum TestPostgres {
    static let logger: Logger = {
        var logger = Logger(label: "recio.tests.postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// Fast retries so that tests about reconnection do not wait long.
    static let reconnect = PostgresConfiguration.ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(500), budget: .seconds(30))

    /// The configuration for the server named by the environment.
    static func configuration() throws -> PostgresConfiguration {
        let host = ProcessInfo.processInfo.environment["PGHOST"]
        try #require(host != nil && host != "",
                     "PGHOST is not set: PostgreSQL tests need a server (run scripts/test, or export PGHOST, PGPORT, PGUSER, PGDATABASE)")
        return PostgresConfiguration(connectionString: "", applicationName: "recio-tests", reconnect: reconnect)
    }

    /// A new connection to the test server.
    static func connection() throws -> PostgresConnection {
        PostgresConnection(configuration: try configuration(), logger: logger)
    }

    /// A unique schema name (`test_` and random hex), so parallel tests never share tables.
    static func uniqueSchema() throws -> PostgresIdentifier {
        try PostgresIdentifier("test_" + String(UInt64.random(in: 0...UInt64.max), radix: 16))
    }

    /// Runs `body` with a fresh schema (migrated unless `migrate` is false) and a connection, and
    /// always drops the schema afterwards.
    static func withSchema<T>(
        migrate: Bool = true,
        _ body: (PostgresIdentifier, PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try connection()
        let schema = try uniqueSchema()
        do {
            if migrate {
                try await SchemaMigrator(schema: schema, logger: logger).migrate(on: connection)
            } else {
                try await connection.execute("CREATE SCHEMA \(schema.quoted)")
            }
            let value = try await body(schema, connection)
            await drop(schema, connection)
            return value
        } catch {
            await drop(schema, connection)
            throw error
        }
    }

    private static func drop(_ schema: PostgresIdentifier, _ connection: PostgresConnection) async {
        _ = try? await connection.withReconnect("drop test schema") { conn in
            try conn.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
        }
        await connection.close()
    }
}
