/// A legacy `one_minute_avg` value and how it was obtained.
///
/// Definition (the legacy's, made exact): at second `t`, the mean price of the held seconds in
/// `[t − 60, t)` — the current tick excluded, the second exactly 60 s back included; with none,
/// the latest price before `t`; with none either, nothing (the legacy column then holds 0.0).
/// The legacy computed it as "rows whose key ≥ now − 60 s" before inserting the current row; for
/// rows written in time order that is the same set.
public struct OneMinuteMean: Sendable, Hashable, Codable {
    /// Where the value came from.
    public enum Basis: Sendable, Hashable, Codable {
        /// The mean of `count` prices in the window, summing exactly to `sumCents`.
        case window(count: Int, sumCents: Int64)
        /// No price in the window: the latest price before it.
        case latestEarlier(PricePoint)
        /// No price at all before `t`.
        case none
    }

    /// How the value was obtained.
    public var basis: Basis

    /// A value obtained as `basis` says.
    public init(basis: Basis) {
        self.basis = basis
    }

    /// The value in cents; `nil` when there is no earlier price at all.
    public var cents: Double? {
        switch basis {
        case .window(let count, let sum): return Double(sum) / Double(count)
        case .latestEarlier(let point): return Double(point.cents)
        case .none: return nil
        }
    }

    /// The value exactly as the legacy `price_log.one_minute_avg` column holds it: dollars, and
    /// 0.0 when there is no earlier price. Computed as `sum / count / 100` in `Double`, the same
    /// operations in the same order as the SQLite writer, so the stored REAL is bit-identical.
    public var legacyDollars: Double {
        switch basis {
        case .window(let count, let sum): return Double(sum) / Double(count) / 100
        case .latestEarlier(let point): return Double(point.cents) / 100
        case .none: return 0.0
        }
    }
}
