import PriceAnalytics
import StorageKit

/// Attaches the legacy `price_log` derived columns (`momentum`, `delta_1m … delta_30m`) to each
/// tick, computed by the same `PriceAnalytics` code the live analysis daemon uses, over a
/// `PriceSeries` kept in memory (seeded from the stored history at start-up).
///
/// The figures are taken *at* the tick (the series already holds it). The legacy fetched them from
/// the analysis just before its insert, so its values could lag by a tick; the values here are the
/// ones the legacy analysis would report for that second. `one_minute_avg` is not computed here:
/// the SQLite writer derives it from the table, as the legacy did.
public struct LegacyColumnsCalculator: Sendable {
    /// The recent prices, one per second.
    public private(set) var series: PriceSeries
    /// The momentum weights (legacy: 0.3, 0.25, 0.2, 0.15, 0.05, 0.05).
    public let momentum: WeightedMomentum

    /// A calculator keeping `capacitySeconds` of history (enough for `delta_30m` plus a margin for
    /// repaired seconds that arrive late).
    public init(capacitySeconds: Int = PriceSeries.defaultCapacitySeconds, momentum: WeightedMomentum = WeightedMomentum()) {
        self.series = PriceSeries(capacitySeconds: capacitySeconds)
        self.momentum = momentum
    }

    /// Adds stored ticks to the history without annotating them (start-up seeding).
    public mutating func seed(_ ticks: [PriceTick]) {
        for tick in ticks { series.append(second: tick.second, cents: tick.price.cents) }
    }

    /// Records `tick` in the history and returns it with its legacy columns. A tick older than
    /// the window the series keeps is returned without columns (NULL in the legacy file).
    public mutating func annotate(_ tick: PriceTick) -> PriceTick {
        var annotated = tick
        guard series.append(second: tick.second, cents: tick.price.cents) != .rejectedTooOld else {
            annotated.legacyColumns = nil
            return annotated
        }
        let d = LegacyDerivedColumns(at: tick.second, in: series, momentum: momentum)
        annotated.legacyColumns = LegacyPriceColumns(
            momentum: d.momentum, delta1m: d.delta1m, delta2m: d.delta2m, delta3m: d.delta3m,
            delta4m: d.delta4m, delta15m: d.delta15m, delta30m: d.delta30m)
        return annotated
    }
}
