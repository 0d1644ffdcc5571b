/// One UTC calendar month, the unit of the monthly range partitions (`price_history_2026_05`
/// holds `[2026-05-01 00:00:00+00, 2026-06-01 00:00:00+00)`).
public struct PartitionMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    /// 1...12.
    public let month: Int

    /// The month containing a UTC epoch second.
    public init(epochSeconds: Int64) {
        let civil = CivilDateTime(epochSeconds: epochSeconds)
        self.year = civil.year
        self.month = civil.month
    }

    /// A month by number; `nil` outside years 1...9999 or months 1...12.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    private init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The following month.
    public var next: PartitionMonth {
        month == 12 ? PartitionMonth(uncheckedYear: year + 1, month: 1) : PartitionMonth(uncheckedYear: year, month: month + 1)
    }

    /// The preceding month.
    public var previous: PartitionMonth {
        month == 1 ? PartitionMonth(uncheckedYear: year - 1, month: 12) : PartitionMonth(uncheckedYear: year, month: month - 1)
    }

    /// The first second of the month, UTC.
    public var startEpochSeconds: Int64 { CivilDateTime(year: year, month: month, day: 1).epochSecondsAsUTC }

    /// `2026_05`.
    public var suffix: String {
        var text = String(year)
        while text.count < 4 { text = "0" + text }
        return text + "_" + (month < 10 ? "0" : "") + String(month)
    }

    /// The partition's table name for a partitioned table (`price_history_2026_05`).
    public func partitionName(of table: String) -> String { "\(table)_\(suffix)" }

    /// This month and the `count` following ones.
    public func throughNext(_ count: Int) -> [PartitionMonth] {
        var months = [self]
        for _ in 0..<max(0, count) {
            if let last = months.last { months.append(last.next) }
        }
        return months
    }

    public static func < (a: Self, b: Self) -> Bool { (a.year, a.month) < (b.year, b.month) }

    public var description: String { suffix.replacingOccurrences(of: "_", with: "-") }
}
