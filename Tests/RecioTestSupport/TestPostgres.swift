import Foundation
import Logging
import StorageKit

/// Why a PostgreSQL test could not even start.
public struct TestPostgresUnavailable: Error, CustomStringConvertible {
    public let description: String
}

/// The PostgreSQL server the tests use: the one the standard libpq variables name (`PGHOST`,
/// `PGPORT`, `PGUSER`, `PGDATABASE`). Without `PGHOST` every PostgreSQL test FAILS with an error —
/// CI must provide a server; nothing is skipped silently. Shared by every test target.
public enum TestPostgres {
    public static let logger: Logger = {
        var logger = Logger(label: "recio.tests.postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// Fast retries so that tests about reconnection do not wait long.
    public static let reconnect = PostgresConfiguration.ReconnectPolicy(
        initialDelay: .milliseconds(20), maxDelay: .milliseconds(500), budget: .seconds(30))

    /// The configuration for the server named by the environment.
    public static func configuration() throws -> PostgresConfiguration {
        let host = ProcessInfo.processInfo.environment["PGHOST"] ?? ""
        guard !host.isEmpty else {
            throw TestPostgresUnavailable(description:
                "PGHOST is not set: PostgreSQL tests need a server (run scripts/test, or export PGHOST, PGPORT, PGUSER, PGDATABASE)")
        }
        return PostgresConfiguration(connectionString: "", applicationName: "recio-tests", reconnect: reconnect)
    }

    /// A new connection to the test server.
    public static func connection() throws -> PostgresConnection {
        PostgresConnection(configuration: try configuration(), logger: logger)
    }

    /// A unique schema name (`test_` and random hex), so parallel tests never share tables.
    public static func uniqueSchema() throws -> PostgresIdentifier {
        try PostgresIdentifier("test_" + String(UInt64.random(in: 0...UInt64.max), radix: 16))
    }

    /// What `withSchema` prepares before the test body runs.
    public enum SchemaSetup: Sendable {
        /// Created and migrated to the latest version.
        case migrated
        /// Created, empty.
        case created
        /// Only a fresh name: the code under test (usually a daemon) creates and migrates it.
        case nameOnly
    }

    /// Runs `body` with a fresh schema prepared as `setup` says and a connection, and always drops
    /// the schema afterwards.
    public static func withSchema<T>(
        _ setup: SchemaSetup = .migrated,
        _ body: (PostgresIdentifier, PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try connection()
        let schema = try uniqueSchema()
        do {
            switch setup {
            case .migrated: try await SchemaMigrator(schema: schema, logger: logger).migrate(on: connection)
            case .created: try await connection.execute("CREATE SCHEMA \(schema.quoted)")
            case .nameOnly: break
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
