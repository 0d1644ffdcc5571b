extension PriceSeries {
    /// The realised volatility over the `windowSeconds` seconds ending at `t` (definition in
    /// `RealisedVolatility`). O(windowSeconds): two passes over the returns stored at append time,
    /// no logarithms — a few microseconds for a 1-hour window in an optimised build. A window
    /// longer than the series' capacity − 1 can never reach back far enough, so it is always `nil`.
    public func realisedVolatility(
        windowSeconds: Int64, at t: Int64, minimumReturnFraction: Double = 0.5,
        secondsPerYear: Double = RealisedVolatility.julianYearSeconds
    ) -> RealisedVolatility {
        precondition(windowSeconds >= 1, "a volatility window must be at least 1 second")
        let unavailable = { (count: Int) in
            RealisedVolatility(windowSeconds: windowSeconds, returnCount: count, perSecond: nil, annualised: nil)
        }
        guard let from = retainedFrom, let latest = latestSecond, from <= t - windowSeconds else { return unavailable(0) }
        let lower = t - windowSeconds + 1
        let upper = min(t, latest)
        guard lower <= upper else { return unavailable(0) }
        // The slots lower...upper, as at most two contiguous runs of the ring.
        let startSlot = slot(lower)
        let length = Int(upper - lower + 1)
        let firstRun = min(length, capacitySeconds - startSlot)
        return logReturns.withUnsafeBufferPointer { all in
            let runs = [all[startSlot ..< startSlot + firstRun], all[0 ..< length - firstRun]]
            var n = 0
            var total = 0.0
            for run in runs {
                for r in run where !r.isNaN {
                    n += 1
                    total += r
                }
            }
            let required = max(2, Int((minimumReturnFraction * Double(windowSeconds)).rounded(.up)))
            guard n >= required else { return unavailable(n) }
            let mean = total / Double(n)
            var squares = 0.0
            for run in runs {
                for r in run where !r.isNaN {
                    let d = r - mean
                    squares += d * d
                }
            }
            let perSecond = (squares / Double(n - 1)).squareRoot()
            return RealisedVolatility(windowSeconds: windowSeconds, returnCount: n, perSecond: perSecond,
                                      annualised: perSecond * secondsPerYear.squareRoot())
        }
    }
}
