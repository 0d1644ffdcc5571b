/// The Markdown table a benchmark prints: metric, value, target.
public struct ResultTable {
    private var lines: [String] = []

    public init() {}

    /// Adds one row.
    public mutating func add(_ metric: String, _ value: String, _ target: String = "") {
        lines.append("| \(Self.pad(metric, 40)) | \(Self.pad(value, 20)) | \(Self.pad(target, 16)) |")
    }

    /// Prints the table with its header.
    public func print() {
        Swift.print("")
        Swift.print("| \(Self.pad("metric", 40)) | \(Self.pad("value", 20)) | \(Self.pad("target", 16)) |")
        Swift.print("|\(String(repeating: "-", count: 42))|\(String(repeating: "-", count: 22))|\(String(repeating: "-", count: 18))|")
        for line in lines { Swift.print(line) }
    }

    private static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}

/// Nearest-rank percentile of sorted values (`nan` for none).
public func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}
