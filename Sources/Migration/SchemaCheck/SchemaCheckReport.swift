import StorageKit

/// What `recioctl schema check` found: the migration versions applied to the user schema against
/// the ones this binary knows, and every structural difference from the shape the migrations
/// define. `ok` only when both agree.
public struct SchemaCheckReport: Sendable, Codable {
    /// The user schema checked (`user_0001`).
    public var schema: String
    /// Versions this binary's migrations define.
    public var knownVersions: [Int]
    /// Versions recorded in the schema's `schema_migrations`.
    public var appliedVersions: [Int]
    /// Known but not applied: a daemon of this version migrates them forward at start-up.
    public var pendingVersions: [Int]
    /// Applied but unknown to this binary: the database is newer, and daemons of this version refuse it.
    public var unknownVersions: [Int]
    /// Structural drift from the migrations' shape.
    public var differences: [SchemaDifference]
    /// Partitioned table → number of partitions attached (information, not drift).
    public var partitions: [String: Int]

    public var ok: Bool { differences.isEmpty && pendingVersions.isEmpty && unknownVersions.isEmpty }

    /// The report for an operator: versions, then the differences as a table.
    public func rendered() -> String {
        func list(_ versions: [Int]) -> String { versions.isEmpty ? "none" : versions.map(String.init).joined(separator: ", ") }
        var out = "schema \(schema)\n"
        out += "  migrations known to this binary: \(list(knownVersions))\n"
        out += "  migrations applied to the schema: \(list(appliedVersions))\n"
        if !pendingVersions.isEmpty {
            out += "  pending (a daemon of this version applies them at start-up): \(list(pendingVersions))\n"
        }
        if !unknownVersions.isEmpty {
            out += "  NEWER than this binary (daemons of this version refuse to start): \(list(unknownVersions))\n"
        }
        if !partitions.isEmpty {
            out += "  partitions: " + partitions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        if differences.isEmpty {
            out += "no structural drift from the migrations\n"
        } else {
            var table = TextTable(["drift", "object", "migrations define", "database has"])
            for d in differences { table.append([d.kind.rawValue, d.object, d.expected ?? "—", d.actual ?? "—"]) }
            out += table.rendered()
        }
        out += "schema check: \(ok ? "OK" : "DRIFT") (\(differences.count) difference\(differences.count == 1 ? "" : "s"))\n"
        return out
    }
}
