/// When the hourly Kalshi BTC markets close: at every top of the hour, New York time. New York's
/// UTC offsets are whole hours, so its hour boundaries are the UTC ones and plain epoch arithmetic
/// is exact, DST or not.
public enum HourClose {
    /// Seconds from `t` to the next top of the hour strictly after `t`, in `1 ... 3600`. At an
    /// exact top of the hour it is 3600: the market closing at that second has closed, the next
    /// one closes in an hour.
    public static func secondsToNextTopOfHour(after t: Int64) -> Int64 {
        let r = t % 3600
        return 3600 - (r < 0 ? r + 3600 : r)
    }
}
