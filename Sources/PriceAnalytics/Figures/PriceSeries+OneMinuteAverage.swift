extension PriceSeries {
    /// The legacy `one_minute_avg` at second `t` (definition in `OneMinuteMean`): the mean of the
    /// held prices in `[t − 60, t)`, else the latest price before `t`, else `.none`. `nil` only
    /// when the series cannot tell: part of that minute was evicted.
    public func oneMinuteAverage(at t: Int64) -> OneMinuteMean? {
        guard let from = retainedFrom, let latest = latestSecond else { return OneMinuteMean(basis: .none) }
        let start = t - 60
        if start < from && hasEvicted { return nil }
        var count = 0
        var sum: Int64 = 0
        var x = max(start, from)
        let end = min(t - 1, latest)
        while x <= end {
            let i = slot(x)
            if sources[i] == x {
                count += 1
                sum += prices[i]
            }
            x += 1
        }
        if count > 0 { return OneMinuteMean(basis: .window(count: count, sumCents: sum)) }
        if let earlier = price(atOrBefore: t - 1) { return OneMinuteMean(basis: .latestEarlier(earlier)) }
        return OneMinuteMean(basis: .none)
    }
}
