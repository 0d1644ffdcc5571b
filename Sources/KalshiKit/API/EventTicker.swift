import StorageKit

/// The ticker of Kalshi's hourly event of a series: `{SERIES}-{yy}{MON}{dd}{HH}` in America/New_York
/// time for the event that closes at the next top of the hour (`KXBTCD-25AUG0817` closes 17:00 ET on
/// 2025-08-08).
///
/// The event closing at hour H is current until H itself: at exactly 17:00:00 ET the 17:00 event
/// has closed and the 18:00 one is current (the legacy computed "now + 1 h" for both its "current"
/// and "next", which disagrees at the boundary; this does not). New York offsets are whole hours,
/// so the top of the hour is the same instant in UTC and in New York. On the autumn fall-back
/// night, the hours closing at 01:00 EDT and at 01:00 EST have the same local name (`...0201`):
/// Kalshi names events by wall-clock time, so both map to that ticker.
public struct EventTicker: Sendable, Hashable, CustomStringConvertible {
    public var series: String
    /// The UTC epoch second at which the event closes (a top of the hour).
    public var closeEpochSeconds: Int64

    static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    /// The event of `series` that is open at `epochSeconds`: the one closing at the next top of the
    /// hour strictly after it.
    public init(series: String, at epochSeconds: Int64) {
        self.series = series
        let hour = Int64(3600)
        let floor = epochSeconds >= 0 ? epochSeconds / hour : (epochSeconds - hour + 1) / hour
        self.closeEpochSeconds = (floor + 1) * hour
    }

    /// The event after this one (closing an hour later).
    public var next: EventTicker {
        EventTicker(series: series, at: closeEpochSeconds)
    }

    /// `KXBTCD-25AUG0817`.
    public var description: String {
        let c = NewYorkTime.civil(epochSeconds: closeEpochSeconds)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return series + "-" + two(c.year % 100) + Self.months[c.month - 1] + two(c.day) + two(c.hour)
    }
}
