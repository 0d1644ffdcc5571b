extension PriceSeries {
    /// The legacy `delta_Nm` at second `t`, in percent: with `cur` the latest price at or before
    /// `t` and `past` the latest price at or before `t − minutes·60`,
    /// `(cur − past) / past × 100`. `nil` when either price is missing (or unknown, before the
    /// window) or `past` is 0, as the legacy `live_data_analysis` returned NULL.
    public func delta(minutes: Int, at t: Int64) -> Double? {
        guard let current = price(atOrBefore: t),
              let past = price(atOrBefore: t - Int64(minutes) * 60), past.cents != 0 else { return nil }
        return Double(current.cents - past.cents) / Double(past.cents) * 100
    }
}
