/// What `PriceSeries.append(second:cents:)` did with a price, so a caller can count or log the
/// unusual cases (a steady feed only ever sees `.appended`).
public enum AppendOutcome: Sendable, Hashable {
    /// A second later than any held: the normal case (gaps before it are allowed).
    case appended
    /// A second earlier than the latest, not held before, still inside the window: inserted in place.
    case insertedOutOfOrder
    /// A second already held: its price was replaced (last write wins, as SQLite `INSERT OR REPLACE`).
    case replaced
    /// A second older than the window the series keeps: dropped, the series is unchanged.
    case rejectedTooOld
}
