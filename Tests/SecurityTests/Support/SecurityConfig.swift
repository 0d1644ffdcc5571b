import Foundation

/// A `services.json` for these tests: PostgreSQL from the PG* environment (empty conninfo unless
/// given) and the given schema, every service on PostgreSQL only unless overridden.
struct SecurityConfig {
    var directory: URL
    var schema: String
    var conninfo = ""
    var passwordCredential: String?
    var passwordFile: String?
    var services: [String: [String: Any]] = [:]

    init(directory: URL, schema: String) {
        self.directory = directory
        self.schema = schema
    }

    var url: URL { directory.appendingPathComponent("services.json") }

    @discardableResult
    func write() throws -> URL {
        let postgresOnly: [String: Any] = ["writers": ["postgres"], "primary": "postgres"]
        var all: [String: Any] = [
            "btc_price_watchdog": postgresOnly,
            "kalshi_api_watchdog": postgresOnly,
            "kalshi_historical_ingest": postgresOnly,
            "live_data_analysis": postgresOnly.merging(["reader": "postgres"]) { $1 },
        ]
        for (k, v) in services { all[k] = v }
        var postgres: [String: Any] = ["conninfo": conninfo, "schema": schema]
        if let passwordCredential { postgres["password_credential"] = passwordCredential }
        if let passwordFile { postgres["password_file"] = passwordFile }
        let document: [String: Any] = ["postgres": postgres, "services": all]
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted]).write(to: url)
        return url
    }
}
