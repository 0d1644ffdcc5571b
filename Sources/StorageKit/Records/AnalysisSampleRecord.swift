import Foundation
import PriceAnalytics

/// One second of the live analysis as the live-data-analysis daemon stores it: a row of
/// `{schema}.live_analysis` and the `live_analysis_latest.json` file.
///
/// The delta horizons are the legacy ones (1, 2, 3, 4, 15, 30 min), so they are plain columns.
/// The volatility windows are configurable, so they travel together as one JSON object keyed by
/// window seconds (`{"60": 0.41, "300": 0.38, "900": null, "3600": 0.52}`), a `jsonb` column in
/// PostgreSQL: any configured window is stored without a schema change, and a figure is read with
/// `(volatility->>'3600')::float8`. `nil` everywhere means "the history could not support this
/// figure" (SQL/JSON null), never a guess.
public struct AnalysisSampleRecord: StorableRecord, Hashable {
    /// The UTC epoch second the sample is for.
    public var second: Int64
    /// The latest price at or before `second` (exact cents); `nil` when there is none.
    public var price: USDCents?
    /// The UTC second `price` comes from (earlier than `second` when the feed is late or stale).
    public var priceSecond: Int64?
    /// `delta_1m`, percent.
    public var delta1m: Double?
    /// `delta_2m`, percent.
    public var delta2m: Double?
    /// `delta_3m`, percent.
    public var delta3m: Double?
    /// `delta_4m`, percent.
    public var delta4m: Double?
    /// `delta_15m`, percent.
    public var delta15m: Double?
    /// `delta_30m`, percent.
    public var delta30m: Double?
    /// The weighted momentum score of the deltas (configured weights, renormalised over those present).
    public var momentum: Double?
    /// The legacy one-minute average, dollars (a mean, so not an exact amount of cents).
    public var oneMinuteAverage: Double?
    /// Annualised realised volatility per configured window, in configuration order.
    public var volatility: [VolatilityFigure]
    /// Seconds to the next top of the hour (the hourly markets' close), `1 ... 3600`.
    public var secondsToHourClose: Int64
    /// No price newer than the configured threshold: the input feed is stale.
    public var stale: Bool

    /// A record from its stored values.
    public init(second: Int64, price: USDCents?, priceSecond: Int64?, delta1m: Double?, delta2m: Double?,
                delta3m: Double?, delta4m: Double?, delta15m: Double?, delta30m: Double?, momentum: Double?,
                oneMinuteAverage: Double?, volatility: [VolatilityFigure], secondsToHourClose: Int64, stale: Bool) {
        self.second = second
        self.price = price
        self.priceSecond = priceSecond
        self.delta1m = delta1m
        self.delta2m = delta2m
        self.delta3m = delta3m
        self.delta4m = delta4m
        self.delta15m = delta15m
        self.delta30m = delta30m
        self.momentum = momentum
        self.oneMinuteAverage = oneMinuteAverage
        self.volatility = volatility
        self.secondsToHourClose = secondsToHourClose
        self.stale = stale
    }

    /// The stored form of an `Analyzer` sample. Horizons other than the legacy six are not stored.
    public init(_ sample: AnalysisSample) {
        self.init(
            second: sample.second,
            price: sample.price.map { USDCents(cents: $0.cents) },
            priceSecond: sample.price?.second,
            delta1m: sample.delta(minutes: 1), delta2m: sample.delta(minutes: 2), delta3m: sample.delta(minutes: 3),
            delta4m: sample.delta(minutes: 4), delta15m: sample.delta(minutes: 15), delta30m: sample.delta(minutes: 30),
            momentum: sample.momentum,
            oneMinuteAverage: sample.oneMinuteAverage?.cents.map { $0 / 100 },
            volatility: sample.volatilities.map { VolatilityFigure(windowSeconds: $0.windowSeconds, annualised: $0.annualised) },
            secondsToHourClose: sample.secondsToHourClose,
            stale: sample.stale
        )
    }

    public static let dataset = "live_analysis"
    public var naturalKey: String { String(second) }

    /// The annualised volatility for `windowSeconds`, or `nil` if missing or not configured.
    public func volatility(windowSeconds: Int64) -> Double? {
        volatility.first { $0.windowSeconds == windowSeconds }?.annualised
    }

    /// The derived figures in column order (deltas, momentum, one-minute average), for validation.
    var figures: [Double?] { [delta1m, delta2m, delta3m, delta4m, delta15m, delta30m, momentum, oneMinuteAverage] }

    public func validate() throws {
        guard second > 946_684_800, second < 4_102_444_800 else {  // 2000-01-01 ... 2100-01-01
            throw StorageError(.invalidRecord, subject: Self.dataset, "second \(second) is outside 2000...2100")
        }
        if let price, price.cents <= 0 {
            throw StorageError(.invalidRecord, subject: Self.dataset, "price \(price) at \(UTCTime.iso8601(epochSeconds: second)) is not positive")
        }
        guard (figures + volatility.map(\.annualised)).allSatisfy({ $0?.isFinite ?? true }) else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "a figure at \(UTCTime.iso8601(epochSeconds: second)) is not finite")
        }
        guard Set(volatility.map(\.windowSeconds)).count == volatility.count, volatility.allSatisfy({ $0.windowSeconds > 0 }) else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "volatility windows must be positive and distinct")
        }
    }
}
