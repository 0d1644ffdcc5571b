/// Every figure of the live analysis for one second: what the live-data-analysis daemon publishes
/// each second (`live_analysis` row, JSON "latest" file). A figure the history cannot support is
/// `nil` (SQL NULL), never a guess; `missingFigures` lists them.
public struct AnalysisSample: Sendable, Hashable, Codable {
    /// The UTC epoch second the sample is for.
    public var second: Int64
    /// The latest price at or before `second` (it may be older than `second`; see `stale`).
    public var price: PricePoint?
    /// `delta_Nm` for each configured horizon, in configuration order.
    public var deltas: [MinuteDelta]
    /// The weighted momentum score of `deltas`.
    public var momentum: Double?
    /// The legacy one-minute average; `nil` when the series no longer holds that minute.
    public var oneMinuteAverage: OneMinuteMean?
    /// Realised volatility for each configured window, in configuration order.
    public var volatilities: [RealisedVolatility]
    /// Seconds to the next top of the hour (the hourly markets' close), `1 ... 3600`.
    public var secondsToHourClose: Int64
    /// `second` minus the second of the newest price; `nil` when there is no price at all.
    public var secondsSinceLastPrice: Int64?
    /// No price newer than the configured threshold (or none at all): the input feed is stale.
    public var stale: Bool

    /// A sample from its figures (normally built by `Analyzer`).
    public init(second: Int64, price: PricePoint?, deltas: [MinuteDelta], momentum: Double?,
                oneMinuteAverage: OneMinuteMean?, volatilities: [RealisedVolatility],
                secondsToHourClose: Int64, secondsSinceLastPrice: Int64?, stale: Bool) {
        self.second = second
        self.price = price
        self.deltas = deltas
        self.momentum = momentum
        self.oneMinuteAverage = oneMinuteAverage
        self.volatilities = volatilities
        self.secondsToHourClose = secondsToHourClose
        self.secondsSinceLastPrice = secondsSinceLastPrice
        self.stale = stale
    }

    /// The delta for `minutes`, or `nil` if it is missing or not configured.
    public func delta(minutes: Int) -> Double? {
        deltas.first { $0.minutes == minutes }?.percent
    }

    /// The annualised volatility for `windowSeconds`, or `nil` if it is missing or not configured.
    public func volatility(windowSeconds: Int64) -> Double? {
        volatilities.first { $0.windowSeconds == windowSeconds }?.annualised
    }

    /// The names of the figures that are `nil`, as column names (`price`, `delta_15m`, `momentum`,
    /// `one_minute_avg`, `volatility_3600s`), for the journal and `STATUS=`.
    public var missingFigures: [String] {
        var names: [String] = []
        if price == nil { names.append("price") }
        for d in deltas where d.percent == nil { names.append("delta_\(d.minutes)m") }
        if momentum == nil { names.append("momentum") }
        if oneMinuteAverage?.cents == nil { names.append("one_minute_avg") }
        for v in volatilities where v.annualised == nil { names.append("volatility_\(v.windowSeconds)s") }
        return names
    }
}
