/// What an `Analyzer` computes: delta horizons and momentum weights, volatility windows, and when
/// an input counts as stale. The defaults are the legacy figures plus the 1 m/5 m/15 m/1 h
/// volatility windows.
public struct AnalyzerConfiguration: Sendable, Hashable {
    /// The legacy delta horizons, minutes: `delta_1m … delta_30m`.
    public static let legacyDeltaMinutes = [1, 2, 3, 4, 15, 30]
    /// Default volatility windows, seconds: 1 m, 5 m, 15 m, 1 h.
    public static let defaultVolatilityWindows: [Int64] = [60, 300, 900, 3_600]

    /// Delta horizons in minutes (positive).
    public var deltaMinutes: [Int]
    /// One momentum weight per delta horizon (finite, ≥ 0, not all 0).
    public var momentumWeights: [Double]
    /// Volatility windows in seconds (each ≥ 2).
    public var volatilityWindows: [Int64]
    /// The least fraction of a window's possible returns that must be present for a volatility
    /// figure (0 ... 1; default 0.5).
    public var minimumReturnFraction: Double
    /// Seconds per year used to annualise volatility (default 365.25 days).
    public var secondsPerYear: Double
    /// A sample is stale when its newest price is more than this many seconds old (default 10 s,
    /// the legacy watchdog's silence-before-reconnect).
    public var staleAfterSeconds: Int64

    /// A configuration; every argument defaults to the legacy/issue default.
    public init(
        deltaMinutes: [Int] = AnalyzerConfiguration.legacyDeltaMinutes,
        momentumWeights: [Double] = WeightedMomentum.legacyWeights,
        volatilityWindows: [Int64] = AnalyzerConfiguration.defaultVolatilityWindows,
        minimumReturnFraction: Double = 0.5,
        secondsPerYear: Double = RealisedVolatility.julianYearSeconds,
        staleAfterSeconds: Int64 = 10
    ) {
        self.deltaMinutes = deltaMinutes
        self.momentumWeights = momentumWeights
        self.volatilityWindows = volatilityWindows
        self.minimumReturnFraction = minimumReturnFraction
        self.secondsPerYear = secondsPerYear
        self.staleAfterSeconds = staleAfterSeconds
    }

    /// The longest look-back any figure needs, seconds: a `PriceSeries` should keep more than
    /// this (`PriceSeries(capacitySeconds: requiredCapacitySeconds)` plus any margin wanted).
    public var longestLookbackSeconds: Int64 {
        max(60, (deltaMinutes.map { Int64($0) * 60 } + volatilityWindows).max() ?? 0)
    }

    /// The least `PriceSeries` capacity that lets every figure be computed at the latest second.
    public var requiredCapacitySeconds: Int { Int(longestLookbackSeconds) + 1 }

    /// Throws a `PriceAnalyticsError` naming the first field that is out of range.
    public func validate() throws {
        func fail(_ field: String, _ message: String) -> PriceAnalyticsError {
            PriceAnalyticsError(.invalidConfiguration, field: field, message)
        }
        guard deltaMinutes.allSatisfy({ $0 > 0 }) else { throw fail("deltaMinutes", "every horizon must be a positive number of minutes") }
        guard momentumWeights.count == deltaMinutes.count else {
            throw fail("momentumWeights", "\(momentumWeights.count) weights for \(deltaMinutes.count) delta horizons; give one weight per horizon")
        }
        guard momentumWeights.allSatisfy({ $0.isFinite && $0 >= 0 }), momentumWeights.contains(where: { $0 > 0 }) else {
            throw fail("momentumWeights", "weights must be finite, non-negative and not all zero")
        }
        guard volatilityWindows.allSatisfy({ $0 >= 2 }) else { throw fail("volatilityWindows", "every window must be at least 2 seconds") }
        guard minimumReturnFraction >= 0, minimumReturnFraction <= 1 else {
            throw fail("minimumReturnFraction", "must be between 0 and 1")
        }
        guard secondsPerYear.isFinite, secondsPerYear > 0 else { throw fail("secondsPerYear", "must be a positive number") }
        guard staleAfterSeconds >= 0 else { throw fail("staleAfterSeconds", "must not be negative") }
    }
}
