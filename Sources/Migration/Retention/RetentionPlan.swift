import StorageKit

/// What `recioctl retention apply` does (or, with `--dry-run`, would do) to monthly partitions.
public struct RetentionPlan: Sendable, Codable {
    public struct Partition: Sendable, Codable, Equatable {
        public var table: String
        public var name: String
        /// `2026-05`.
        public var month: String
        /// Rows in it (counted for the partitions to remove).
        public var rows: Int?
        /// `create`, `drop`, `detach` or `keep`.
        public var action: String
    }

    /// The oldest month kept (`current − keep months`).
    public var oldestKept: String
    public var currentMonth: String
    public var partitions: [Partition]
    public var applied: Bool

    /// Partitions removed (dropped or detached).
    public var removed: [Partition] { partitions.filter { $0.action == "drop" || $0.action == "detach" } }

    public var rendered: String {
        var table = TextTable(["TABLE", "PARTITION", "MONTH", "ROWS", "ACTION"])
        for p in partitions where p.action != "keep" {
            table.append([p.table, p.name, p.month, p.rows.map(String.init) ?? "-", applied ? p.action : "would \(p.action)"])
        }
        let kept = partitions.filter { $0.action == "keep" }.count
        var out = "retention: keep \(oldestKept) … \(currentMonth) (current month \(currentMonth)); \(kept) partition(s) kept\n"
        out += partitions.contains(where: { $0.action != "keep" }) ? table.rendered() : "nothing to create or remove\n"
        if !applied { out += "dry run: nothing changed (run with --yes to apply)\n" }
        return out
    }
}
