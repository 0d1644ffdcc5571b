import Foundation
import Logging
import StorageKit
import Testing

/// A unique PostgreSQL schema on the server the standard libpq variables name; dropped afterwards.
/// Without `PGHOST` the test FAILS: CI must provide a server.
enum TestSchema {
    static let logger: Logger = {
        var logger = Logger(label: "recio.tests.postgres")
        logger.logLevel = .warning
        return logger
    }()

    static func connection() throws -> PostgresConnection {
        let host = ProcessInfo.processInfo.environment["PGHOST"]
        try #require(host != nil && host != "", "PGHOST is not set: PostgreSQL tests need a server (run scripts/test)")
        return PostgresConnection(configuration: PostgresConfiguration(applicationName: "recio-tests"), logger: logger)
    }

    static func with<T>(_ body: (String, PostgresConnection) async throws -> T) async throws -> T {
        let connection = try connection()
        let name = "test_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        do {
            let value = try await body(name, connection)
            _ = try? await connection.execute("DROP SCHEMA IF EXISTS \"\(name)\" CASCADE")
            await connection.close()
            return value
        } catch {
            _ = try? await connection.execute("DROP SCHEMA IF EXISTS \"\(name)\" CASCADE")
            await connection.close()
            throw error
        }
    }
}

/// A `services.json` for tests: every service present, `btc_price_watchdog` as given.
func testConfig(schema: String, btcWriters: [String], primary: String, sqlitePath: String? = nil, jsonDir: String? = nil) -> Data {
    var btc: [String: Any] = ["writers": btcWriters, "primary": primary]
    if let sqlitePath { btc["sqlite_path"] = sqlitePath }
    if let jsonDir { btc["json_dir"] = jsonDir }
    let doc: [String: Any] = [
        "postgres": ["conninfo": "", "schema": schema],
        "services": [
            "btc_price_watchdog": btc,
            "kalshi_api_watchdog": ["writers": ["postgres"], "primary": "postgres"],
            "kalshi_historical_ingest": ["writers": ["postgres"], "primary": "postgres"],
            "live_data_analysis": ["writers": ["postgres"], "primary": "postgres", "reader": "postgres"],
        ] as [String: Any],
    ]
    return try! JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
}
