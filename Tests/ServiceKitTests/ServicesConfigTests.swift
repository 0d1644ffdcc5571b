import Foundation
import Testing
@testable import ServiceKit

@Suite struct ServicesConfigTests {
    /// A valid document, as a mutable JSON object, so each test breaks exactly one thing.
    static func validDocument() -> [String: Any] {
        [
            "postgres": ["conninfo": "host=/tmp dbname=recio", "schema": "user_0001"],
            "services": [
                "btc_price_watchdog": ["writers": ["sqlite", "postgres"], "primary": "sqlite", "sqlite_path": "/var/lib/recio/btc_price_history.db"],
                "kalshi_api_watchdog": ["writers": ["json", "postgres"], "primary": "postgres", "json_dir": "/var/lib/recio"],
                "kalshi_historical_ingest": ["writers": ["postgres"], "primary": "postgres"],
                "live_data_analysis": ["writers": ["postgres"], "primary": "postgres", "reader": "postgres"],
            ] as [String: Any],
        ]
    }

    static func parse(_ doc: [String: Any]) throws -> ServicesConfig {
        try ServicesConfig.parse(JSONSerialization.data(withJSONObject: doc), file: "/etc/recio/services.json")
    }

    static func expectError(_ doc: [String: Any], code: ConfigError.Code, path: String, mentioning words: [String]) {
        do {
            _ = try parse(doc)
            Issue.record("expected a config error at \(path)")
        } catch let error as ConfigError {
            #expect(error.code == code)
            #expect(error.path == path)
            #expect(error.file == "/etc/recio/services.json")
            for word in words { #expect(error.description.contains(word), "\(error) should mention \(word)") }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    static func mutate(_ body: (inout [String: Any], inout [String: Any]) -> Void) -> [String: Any] {
        var doc = validDocument()
        var services = doc["services"] as! [String: Any]
        body(&doc, &services)
        doc["services"] = services
        return doc
    }

    @Test func acceptsTheValidDocument() throws {
        let config = try Self.parse(Self.validDocument())
        let btc = config.service(.btcPriceWatchdog)
        #expect(btc.writers == [.sqlite, .postgres])
        #expect(btc.primary == .sqlite)
        #expect(btc.shadows == [.postgres])
        #expect(config.service(.liveDataAnalysis).reader == .postgres)
        #expect(config.postgres.schema == "user_0001")
    }

    @Test func theShippedConfigIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try ServicesConfig.load(path: root.appendingPathComponent("config/services.json").path)
        #expect(config.services.count == 4)
    }

    @Test func rejectsUnknownKeys() {
        Self.expectError(Self.mutate { doc, _ in doc["postgress"] = [:] }, code: .unknownKey, path: "$.postgress", mentioning: ["postgress"])
        Self.expectError(Self.mutate { _, s in
            var btc = s["btc_price_watchdog"] as! [String: Any]
            btc["writer"] = ["sqlite"]
            s["btc_price_watchdog"] = btc
        }, code: .unknownKey, path: "$.services.btc_price_watchdog.writer", mentioning: ["writer"])
        Self.expectError(Self.mutate { _, s in s["btc_watchdog"] = s["btc_price_watchdog"] },
                         code: .unknownKey, path: "$.services.btc_watchdog", mentioning: ["btc_watchdog", "btc_price_watchdog"])
    }

    @Test func rejectsMissingKeys() {
        Self.expectError(Self.mutate { _, s in s["live_data_analysis"] = nil }, code: .missingKey, path: "$.services", mentioning: ["live_data_analysis"])
        Self.expectError(Self.mutate { _, s in
            var btc = s["btc_price_watchdog"] as! [String: Any]
            btc["primary"] = nil
            s["btc_price_watchdog"] = btc
        }, code: .missingKey, path: "$.services.btc_price_watchdog", mentioning: ["primary"])
        Self.expectError(Self.mutate { _, s in
            var btc = s["btc_price_watchdog"] as! [String: Any]
            btc["sqlite_path"] = nil
            s["btc_price_watchdog"] = btc
        }, code: .missingKey, path: "$.services.btc_price_watchdog", mentioning: ["sqlite_path"])
        Self.expectError(Self.mutate { doc, _ in doc["postgres"] = ["conninfo": ""] }, code: .missingKey, path: "$.postgres", mentioning: ["schema"])
    }

    @Test func rejectsWrongTypes() {
        Self.expectError(Self.mutate { _, s in
            var btc = s["btc_price_watchdog"] as! [String: Any]
            btc["writers"] = "sqlite"
            s["btc_price_watchdog"] = btc
        }, code: .wrongType, path: "$.services.btc_price_watchdog.writers", mentioning: ["array", "string"])
        Self.expectError(Self.mutate { doc, _ in doc["postgres"] = ["schema": "user_0001", "connect_timeout_seconds": "10"] },
                         code: .wrongType, path: "$.postgres.connect_timeout_seconds", mentioning: ["integer"])
        Self.expectError(Self.mutate { _, s in
            var k = s["kalshi_api_watchdog"] as! [String: Any]
            k["json_archive"] = 1
            s["kalshi_api_watchdog"] = k
        }, code: .wrongType, path: "$.services.kalshi_api_watchdog.json_archive", mentioning: ["true or false"])
    }

    @Test func rejectsUnknownWriterNames() {
        Self.expectError(Self.mutate { _, s in
            var btc = s["btc_price_watchdog"] as! [String: Any]
            btc["writers"] = ["sqlite", "mysql"]
            s["btc_price_watchdog"] = btc
        }, code: .invalidValue, path: "$.services.btc_price_watchdog.writers[1]", mentioning: ["mysql", "postgres"])
    }

    @Test func rejectsAPrimaryThatIsNotAWriter() {
        Self.expectError(Self.mutate { _, s in
            var btc = s["btc_price_watchdog"] as! [String: Any]
            btc["primary"] = "json"
            s["btc_price_watchdog"] = btc
        }, code: .invalidValue, path: "$.services.btc_price_watchdog.primary", mentioning: ["json", "not among the writers"])
    }

    @Test func rejectsRelativePaths() {
        Self.expectError(Self.mutate { _, s in
            var btc = s["btc_price_watchdog"] as! [String: Any]
            btc["sqlite_path"] = "data/btc_price_history.db"
            s["btc_price_watchdog"] = btc
        }, code: .invalidValue, path: "$.services.btc_price_watchdog.sqlite_path", mentioning: ["absolute path", "data/btc_price_history.db"])
        Self.expectError(Self.mutate { doc, _ in doc["postgres"] = ["schema": "user_0001", "password_file": "pw.txt"] },
                         code: .invalidValue, path: "$.postgres.password_file", mentioning: ["absolute"])
    }

    @Test func rejectsPasswordsInTheConfig() {
        Self.expectError(Self.mutate { doc, _ in doc["postgres"] = ["schema": "user_0001", "conninfo": "host=x password=hunter2"] },
                         code: .invalidValue, path: "$.postgres.conninfo", mentioning: ["password_file"])
    }

    @Test func rejectsBadSchemaNamesAndSyntax() {
        Self.expectError(Self.mutate { doc, _ in doc["postgres"] = ["schema": "user_0001; drop"] },
                         code: .invalidValue, path: "$.postgres.schema", mentioning: ["identifier"])
        do {
            _ = try ServicesConfig.parse(Data("{\"postgres\": ".utf8), file: "/x.json")
            Issue.record("expected a syntax error")
        } catch let error as ConfigError {
            #expect(error.code == .syntax)
            #expect(error.description.hasPrefix("/x.json: $: not valid JSON"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func readsThePasswordFromACredentialWithoutLoggingIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("s3cret\n".utf8).write(to: dir.appendingPathComponent("pgpassword"))
        let settings = PostgresSettings(schema: "user_0001", passwordCredential: "pgpassword")
        #expect(try settings.resolvePassword(environment: ["CREDENTIALS_DIRECTORY": dir.path]) == "s3cret")
        #expect(!String(describing: settings).contains("s3cret"))
        #expect(try settings.resolvePassword(environment: [:]) == nil, "outside systemd libpq's own sources decide")
        #expect(throws: (any Error).self) { try PostgresSettings(schema: "x", passwordFile: dir.path + "/missing").resolvePassword(environment: [:]) }
        try Data().write(to: dir.appendingPathComponent("empty"))
        #expect(try PostgresSettings(schema: "x", passwordCredential: "empty").resolvePassword(environment: ["CREDENTIALS_DIRECTORY": dir.path]) == nil)
    }
}
