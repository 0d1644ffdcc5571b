/// A plain-text table for operator output: a header row, a rule, and left-aligned columns padded
/// to their widest cell (counted in characters).
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: [String]) {
        self.header = header
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table, one line per row, each ended by a newline.
    public func rendered() -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (column, width) in widths.enumerated() {
                let cell = cells.indices.contains(column) ? cells[column] : ""
                text += column == widths.count - 1 ? cell : cell + String(repeating: " ", count: width - cell.count + 2)
            }
            return text + "\n"
        }
        return line(header) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
    }
}
