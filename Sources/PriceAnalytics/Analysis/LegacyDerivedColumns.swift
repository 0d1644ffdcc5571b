/// The legacy `price_log` columns the price watchdog attaches to each tick from the live analysis:
/// `momentum` and `delta_1m … delta_30m` at the tick's second (`nil` is SQL NULL).
///
/// The legacy fetched them from `live_data_analysis` just before inserting the tick, so its values
/// lag by up to a tick; computed here from a series that already holds the tick, they are the
/// figures *at* the tick. Append the tick after computing them to reproduce the lag instead.
public struct LegacyDerivedColumns: Sendable, Hashable, Codable {
    /// `weighted_momentum_score`.
    public var momentum: Double?
    /// `delta_1m`.
    public var delta1m: Double?
    /// `delta_2m`.
    public var delta2m: Double?
    /// `delta_3m`.
    public var delta3m: Double?
    /// `delta_4m`.
    public var delta4m: Double?
    /// `delta_15m`.
    public var delta15m: Double?
    /// `delta_30m`.
    public var delta30m: Double?

    /// The columns from their values.
    public init(momentum: Double?, delta1m: Double?, delta2m: Double?, delta3m: Double?,
                delta4m: Double?, delta15m: Double?, delta30m: Double?) {
        self.momentum = momentum
        self.delta1m = delta1m
        self.delta2m = delta2m
        self.delta3m = delta3m
        self.delta4m = delta4m
        self.delta15m = delta15m
        self.delta30m = delta30m
    }

    /// The columns at second `t` of `series`, with momentum weighted by `momentum` (one weight per
    /// legacy horizon 1, 2, 3, 4, 15, 30 min).
    public init(at t: Int64, in series: PriceSeries, momentum: WeightedMomentum = WeightedMomentum()) {
        let d = AnalyzerConfiguration.legacyDeltaMinutes.map { series.delta(minutes: $0, at: t) }
        self.init(momentum: momentum.score(d), delta1m: d[0], delta2m: d[1], delta3m: d[2],
                  delta4m: d[3], delta15m: d[4], delta30m: d[5])
    }
}
