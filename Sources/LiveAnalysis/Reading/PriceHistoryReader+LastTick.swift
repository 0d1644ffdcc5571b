import StorageKit

extension PriceHistoryReader {
    /// The newest tick strictly before `second`, searched backwards in ranges that double from one
    /// minute up to `limitSeconds` (default 35 days, past the legacy 30-day retention). Each probe
    /// is an indexed range read through `ticks(from:to:)`, so it works on every store; the first
    /// probe that finds rows holds at most about twice as many rows as the gap it spans.
    public func lastTick(before second: Int64, limitSeconds: Int64 = 35 * 86_400) async throws -> PriceTick? {
        var upper = second
        var span: Int64 = 60
        while second - upper < limitSeconds {
            let lower = max(upper - span, second - limitSeconds)
            if let tick = try await ticks(from: lower, to: upper).last { return tick }
            upper = lower
            span *= 2
        }
        return nil
    }
}
