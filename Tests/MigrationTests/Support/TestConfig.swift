import Foundation

/// Writes a `services.json` for the tests: PostgreSQL from the PG* environment (empty conninfo),
/// the given schema, and either the dual-write stage (legacy stores in `legacyDir`) or PostgreSQL only.
func writeServicesConfig(at url: URL, schema: String, legacyDir: URL?) throws {
    let services: String
    if let dir = legacyDir?.path {
        services = """
            "btc_price_watchdog": {"writers": ["sqlite", "json", "postgres"], "primary": "sqlite",
                                   "sqlite_path": "\(dir)/btc_price_history.db", "json_dir": "\(dir)"},
            "kalshi_api_watchdog": {"writers": ["json", "postgres"], "primary": "json", "json_dir": "\(dir)", "json_archive": true},
            "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres"},
            "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "sqlite", "sqlite_path": "\(dir)/btc_price_history.db"}
            """
    } else {
        services = """
            "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres"},
            "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres"},
            "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres"},
            "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}
            """
    }
    let text = """
        {"postgres": {"conninfo": "", "schema": "\(schema)"},
         "services": {\(services)}}
        """
    try Data(text.utf8).write(to: url)
}
