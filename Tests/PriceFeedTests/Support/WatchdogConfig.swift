import FixtureServers
import Foundation

/// A `services.json` for the watchdog tests: PostgreSQL from the PG* environment (empty conninfo)
/// and the given schema, `btc_price_watchdog` with the given writers and options pointing at a
/// fixture server, the other services on PostgreSQL only.
struct WatchdogConfig {
    var writers: [String]
    var primary: String
    var directory: URL
    var schema: String
    var options: [String: Any]
    /// The libpq conninfo (empty: the PG* environment).
    var conninfo = ""
    /// `spool_dir`, when the daemon should spool what its stores cannot take.
    var spoolDirectory: String?
    /// `spool_max_bytes`, when not the default.
    var spoolMaxBytes: Int?

    init(writers: [String], primary: String, directory: URL, schema: String, server: FixtureServer, options: [String: Any] = [:]) {
        self.writers = writers
        self.primary = primary
        self.directory = directory
        self.schema = schema
        var o: [String: Any] = [
            "websocket_url": server.webSocketURL,
            "coinbase_spot_url": server.httpBaseURL,
            "kraken_url": server.httpBaseURL,
            "coinbase_exchange_url": server.httpBaseURL,
            "silence_timeout_seconds": 2,
        ]
        for (k, v) in options { o[k] = v }
        self.options = o
    }

    var sqlitePath: String { directory.appendingPathComponent("btc_price_history.db").path }
    var url: URL { directory.appendingPathComponent("services.json") }

    /// Writes the file and returns its URL.
    @discardableResult
    func write() throws -> URL {
        var btc: [String: Any] = ["writers": writers, "primary": primary, "options": options]
        if writers.contains("sqlite") { btc["sqlite_path"] = sqlitePath }
        if writers.contains("json") { btc["json_dir"] = directory.path }
        let postgresOnly: [String: Any] = ["writers": ["postgres"], "primary": "postgres"]
        let document: [String: Any] = [
            "postgres": ["conninfo": conninfo, "schema": schema],
            "services": [
                "btc_price_watchdog": btc,
                "kalshi_api_watchdog": postgresOnly,
                "kalshi_historical_ingest": postgresOnly,
                "live_data_analysis": postgresOnly.merging(["reader": "postgres"]) { $1 },
            ],
        ]
        var withSpool = document
        if let spoolDirectory { withSpool["spool_dir"] = spoolDirectory }
        if let spoolMaxBytes { withSpool["spool_max_bytes"] = spoolMaxBytes }
        try JSONSerialization.data(withJSONObject: withSpool, options: [.sortedKeys, .prettyPrinted]).write(to: url)
        return url
    }
}
