import Foundation
import Logging
import Testing
import StorageKit

/// The PostgreSQL server the tests use: the one the standard libpq variables name (`PGHOST`,
/// `PGPORT`, `PGUSER`, `PGDATABASE`). Without `PGHOST` every PostgreSQL test FAILS — CI must
/// provide a server; nothing is skipped silently. (A small copy of StorageKitTests' helper: test
/// targets cannot share code.)
enum TestPostgres {
    static let logger: Logger = {
        var logger = Logger(label: "recio.tests.kalshi")
        logger.logLevel = .warning
        return logger
    }()

    static func configuration() throws -> PostgresConfiguration {
        let host = ProcessInfo.processInfo.environment["PGHOST"]
        try #require(host != nil && host != "",
                     "PGHOST is not set: PostgreSQL tests need a server (run scripts/test, or export PGHOST, PGPORT, PGUSER, PGDATABASE)")
        return PostgresConfiguration(connectionString: "", applicationName: "recio-kalshi-tests",
                                     reconnect: .init(initialDelay: .milliseconds(20), maxDelay: .milliseconds(500), budget: .seconds(30)))
    }

    /// A unique schema name, so parallel tests never share tables.
    static func uniqueSchema() throws -> PostgresIdentifier {
        try PostgresIdentifier("test_" + String(UInt64.random(in: 0...UInt64.max), radix: 16))
    }

    /// Runs `body` with a fresh schema name (migrated only if `migrate`) and a connection; always
    /// drops the schema afterwards.
    static func withSchema<T>(migrate: Bool = true, _ body: (PostgresIdentifier, PostgresConnection) async throws -> T) async throws -> T {
        let connection = PostgresConnection(configuration: try configuration(), logger: logger)
        let schema = try uniqueSchema()
        do {
            if migrate { try await SchemaMigrator(schema: schema, logger: logger).migrate(on: connection) }
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

/// A temporary folder, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("recio-kalshi-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// A logger that only reports problems.
func quietLogger() -> Logger {
    var logger = Logger(label: "recio.tests.kalshi")
    logger.logLevel = .error
    return logger
}
