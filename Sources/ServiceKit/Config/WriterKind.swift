/// The kinds of store a service can write to (and, for readers, read from), as named in `services.json`.
public enum WriterKind: String, Sendable, CaseIterable, Hashable, Comparable {
    /// The legacy REC.IO v2 SQLite file.
    case sqlite
    /// Legacy JSON/text files (latest files, heartbeats) and archive exports.
    case json
    /// PostgreSQL, the migration's target.
    case postgres

    /// Whether this is one of the legacy stores the migration moves away from.
    public var isLegacy: Bool { self != .postgres }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The four daemons, by their `services.json` key.
public enum ServiceName: String, Sendable, CaseIterable, Hashable {
    case btcPriceWatchdog = "btc_price_watchdog"
    case kalshiAPIWatchdog = "kalshi_api_watchdog"
    case kalshiHistoricalIngest = "kalshi_historical_ingest"
    case liveDataAnalysis = "live_data_analysis"

    /// The executable's name (`btc-price-watchdog`).
    public var executableName: String { rawValue.replacingOccurrences(of: "_", with: "-") }
    /// The systemd unit (`recio-btc-price-watchdog.service`).
    public var unitName: String { "recio-\(executableName).service" }
}
