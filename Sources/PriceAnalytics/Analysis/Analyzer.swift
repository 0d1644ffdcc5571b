/// Computes the live analysis from a `PriceSeries`: one `AnalysisSample` per second for the
/// live-data-analysis daemon, `LegacyDerivedColumns` for the legacy SQLite price writer. Stateless
/// apart from its configuration, so the same history gives the same numbers whichever store it
/// was read from, and a sample can be recomputed for any second the series still holds.
public struct Analyzer: Sendable {
    /// What this analyzer computes.
    public let configuration: AnalyzerConfiguration
    /// The momentum weighting from the configuration.
    public let momentum: WeightedMomentum

    /// An analyzer for a validated configuration; throws `PriceAnalyticsError` for a bad one.
    public init(configuration: AnalyzerConfiguration = AnalyzerConfiguration()) throws {
        try configuration.validate()
        self.configuration = configuration
        momentum = WeightedMomentum(weights: configuration.momentumWeights)
    }

    /// The sample at second `t` (normally the current second, which may be later than the
    /// newest price). Cost: O(sum of volatility windows), well under a millisecond for the defaults.
    public func sample(at t: Int64, in series: PriceSeries) -> AnalysisSample {
        let price = series.price(atOrBefore: t)
        let deltas = configuration.deltaMinutes.map { MinuteDelta(minutes: $0, percent: series.delta(minutes: $0, at: t)) }
        let volatilities = configuration.volatilityWindows.map {
            series.realisedVolatility(windowSeconds: $0, at: t, minimumReturnFraction: configuration.minimumReturnFraction,
                                      secondsPerYear: configuration.secondsPerYear)
        }
        let age = price.map { t - $0.second }
        return AnalysisSample(
            second: t, price: price, deltas: deltas, momentum: momentum.score(deltas.map(\.percent)),
            oneMinuteAverage: series.oneMinuteAverage(at: t), volatilities: volatilities,
            secondsToHourClose: HourClose.secondsToNextTopOfHour(after: t), secondsSinceLastPrice: age,
            stale: age.map { $0 > configuration.staleAfterSeconds } ?? true
        )
    }

    /// The legacy `momentum` and `delta_*` columns at second `t`. Momentum uses the configured
    /// weights when the configured horizons are the legacy ones, the legacy weights otherwise.
    public func legacyColumns(at t: Int64, in series: PriceSeries) -> LegacyDerivedColumns {
        let weights = configuration.deltaMinutes == AnalyzerConfiguration.legacyDeltaMinutes
            ? momentum : WeightedMomentum()
        return LegacyDerivedColumns(at: t, in: series, momentum: weights)
    }
}
