/// What `recioctl cutover` / `rollback` did.
public struct StageChangeOutcome: Sendable, Codable {
    public enum Result: String, Sendable, Codable {
        /// `--dry-run`: nothing changed.
        case dryRun = "dry-run"
        /// The file was edited and recorded, the service not touched (`--no-apply`).
        case edited
        /// Edited, applied, the service healthy on it, recorded.
        case applied
    }

    public var service: String
    public var from: MigrationStage
    public var to: MigrationStage
    public var result: Result
    /// The edit as a diff.
    public var diff: String
    public var backup: String?
    /// How the gates went, one line each.
    public var gates: [String]
    /// `reload` or `restart` (when applied).
    public var appliedBy: String?
    public var status: String?
}
