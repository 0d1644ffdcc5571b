import StorageKit

/// An exchange timestamp in UTC microseconds since the epoch: exact, ordered, and cheap to split
/// into the UTC second the per-second history is keyed by.
public struct TradeTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var epochMicroseconds: Int64

    public init(epochMicroseconds: Int64) { self.epochMicroseconds = epochMicroseconds }

    public init(epochSeconds: Int64, microseconds: Int64 = 0) {
        self.epochMicroseconds = epochSeconds * 1_000_000 + microseconds
    }

    /// From a `Double` of seconds since the epoch (a wall clock reading).
    public init(epochSeconds: Double) {
        self.epochMicroseconds = Int64((epochSeconds * 1_000_000).rounded(.down))
    }

    /// The UTC second this instant falls in (floor, also for instants before 1970).
    public var second: Int64 {
        epochMicroseconds >= 0 ? epochMicroseconds / 1_000_000 : (epochMicroseconds - 999_999) / 1_000_000
    }

    /// Parses the exchanges' RFC 3339 UTC form `2018-05-21T00:30:11.587000Z` (fraction optional,
    /// any number of digits, truncated to microseconds; an explicit offset is honoured).
    public init?(rfc3339 text: String) {
        guard let seconds = UTCTime.parseEpochSeconds(text) else { return nil }
        var micros: Int64 = 0
        let u = Array(text.utf8)
        if u.count > 20, u[19] == UInt8(ascii: ".") {
            var i = 20
            var scale: Int64 = 100_000
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                micros += Int64(u[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        self.init(epochSeconds: seconds, microseconds: micros)
    }

    public static func < (a: Self, b: Self) -> Bool { a.epochMicroseconds < b.epochMicroseconds }

    /// `2018-05-21T00:30:11.587000Z`.
    public var description: String {
        let micros = epochMicroseconds - second * 1_000_000
        let frac = String(micros)
        return String(UTCTime.iso8601(epochSeconds: second).dropLast())
            + "." + String(repeating: "0", count: 6 - frac.count) + frac + "Z"
    }
}
