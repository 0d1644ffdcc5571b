/// One service's line in `recioctl status`.
public struct ServiceStatus: Sendable, Codable {
    public var service: String
    /// The stage, or `nil` when the entry mixes stages (`stageProblem` says how).
    public var stage: MigrationStage?
    public var stageProblem: String?
    /// Seconds at the stage, from the stage history (`nil`: not changed by recioctl).
    public var secondsInStage: Int64?
    public var writers: [String]
    public var primary: String
    public var reader: String?
    /// Newest row per store (`postgres`, `sqlite`, `json`), UTC ISO-8601, or why it is unknown.
    public var lastRow: [String: String]
    /// The unit's state and `STATUS=`, when the service-control command answered.
    public var unit: UnitState?
    public var unitProblem: String?
    /// Records the daemon has accepted but not stored yet (its `pending` figure).
    public var backlog: Int?
    public var lastParity: ParityResult?
}
