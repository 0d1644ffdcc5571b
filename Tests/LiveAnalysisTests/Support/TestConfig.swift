import Foundation

/// Writes a `services.json` for the live-data-analysis tests: PostgreSQL from the PG* environment,
/// the given schema and reader, samples written to PostgreSQL and the JSON latest file in `dir`.
func writeServicesConfig(at url: URL, schema: String, reader: String, dir: URL, options: String = "{}") throws {
    let text = """
        {"postgres": {"conninfo": "", "schema": "\(schema)"},
         "services": {
            "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres"},
            "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres"},
            "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres"},
            "live_data_analysis": {"writers": ["postgres", "json"], "primary": "postgres", "reader": "\(reader)",
                                   "sqlite_path": "\(dir.path)/btc_price_history.db", "json_dir": "\(dir.path)",
                                   "options": \(options)}
         }}
        """
    try Data(text.utf8).write(to: url)
}
