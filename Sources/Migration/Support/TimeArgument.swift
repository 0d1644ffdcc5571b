import StorageKit

/// Parses the time values operators type: `1730520000` (UTC epoch seconds),
/// `2024-11-02T05:00:00Z`, `2024-11-02 05:00:00` (read as UTC) or `2024-11-02` (midnight UTC).
public enum TimeArgument {
    /// UTC epoch seconds, or `nil` when the text is none of the accepted forms.
    public static func parse(_ text: String) -> Int64? {
        if let value = Int64(text) { return value }
        var t = text
        if t.hasSuffix("Z") { t.removeLast() }
        if t.utf8.count == 10 { t += "T00:00:00" }
        return CivilDateTime.parse(t)?.epochSecondsAsUTC
    }

    /// A duration such as `1h`, `30m`, `1d`, `90s` or `3600`, in seconds (`nil` if not positive).
    public static func duration(_ text: String) -> Int64? {
        guard let unit = text.last else { return nil }
        let factors: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let factor = factors[unit], let n = Int64(text.dropLast()), n > 0 { return n * factor }
        if let n = Int64(text), n > 0 { return n }
        return nil
    }

    /// `2024-11-02T05:00:00Z`.
    public static func format(_ second: Int64) -> String { UTCTime.iso8601(epochSeconds: second) }
}
