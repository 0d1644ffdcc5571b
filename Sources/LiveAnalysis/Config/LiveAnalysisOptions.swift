import PriceAnalytics
import ServiceKit

/// The live-data-analysis settings under `services.live_data_analysis.options`, every key optional:
///
/// ```json
/// "options": {
///   "momentum_weights": [0.3, 0.25, 0.2, 0.15, 0.05, 0.05],
///   "volatility_windows_seconds": [60, 300, 900, 3600],
///   "stale_after_seconds": 10,
///   "cycle_interval_ms": 1000
/// }
/// ```
///
/// Parsing is strict (unknown keys, wrong types and out-of-range values are `ConfigError`s naming
/// the JSON path), so a bad option stops the daemon with exit 78 instead of being ignored.
public struct LiveAnalysisOptions: Sendable, Hashable {
    /// The JSON path of the options object, for error messages.
    public static let path = "$.services.live_data_analysis.options"

    /// What the analyzer computes (legacy delta horizons; weights, windows and threshold from here).
    public var analyzer: AnalyzerConfiguration
    /// Time between two cycles (read new rows, compute, publish).
    public var cycleInterval: Duration

    /// The defaults: legacy weights, 1 m/5 m/15 m/1 h windows, stale after 10 s, one cycle a second.
    public init(analyzer: AnalyzerConfiguration = AnalyzerConfiguration(), cycleInterval: Duration = .seconds(1)) {
        self.analyzer = analyzer
        self.cycleInterval = cycleInterval
    }

    /// The seconds of history the in-memory series keeps: the longest look-back plus a 5-minute
    /// margin, so that a sample computed while the newest row is a little late still has its windows.
    public var seriesCapacitySeconds: Int { analyzer.requiredCapacitySeconds + 300 }

    /// Parses the options of a service entry; `file` names the config in errors.
    public static func parse(_ options: JSONValue, file: String) throws -> LiveAnalysisOptions {
        let node = ConfigNode(value: options, path: path, file: file)
        var result = LiveAnalysisOptions()
        if let weights = try node.optional("momentum_weights") {
            let items = try weights.array()
            let horizons = AnalyzerConfiguration.legacyDeltaMinutes
            guard items.count == horizons.count else {
                throw weights.error(.invalidValue, "expected \(horizons.count) weights, one per delta horizon \(horizons) minutes; found \(items.count)")
            }
            let values = try items.map { try $0.number(in: 0...1_000_000) }
            guard values.contains(where: { $0 > 0 }) else { throw weights.error(.invalidValue, "weights must not all be zero") }
            result.analyzer.momentumWeights = values
        }
        if let windows = try node.optional("volatility_windows_seconds") {
            let items = try windows.array()
            guard (1...16).contains(items.count) else { throw windows.error(.invalidValue, "expected 1 to 16 windows, found \(items.count)") }
            let values = try items.map { try $0.integer(in: 2...86_400) }
            guard Set(values).count == values.count else { throw windows.error(.invalidValue, "a window is listed twice") }
            result.analyzer.volatilityWindows = values
        }
        if let stale = try node.optional("stale_after_seconds") {
            result.analyzer.staleAfterSeconds = try stale.integer(in: 1...86_400)
        }
        if let interval = try node.optional("cycle_interval_ms") {
            result.cycleInterval = .milliseconds(try interval.integer(in: 100...60_000))
        }
        try node.finish(allowed: ["momentum_weights", "volatility_windows_seconds", "stale_after_seconds", "cycle_interval_ms"])
        do {
            try result.analyzer.validate()
        } catch let error as PriceAnalyticsError {
            throw node.error(.invalidValue, error.description)
        }
        return result
    }
}
