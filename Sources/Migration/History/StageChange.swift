import Foundation
import ServiceKit

/// One stage change made by `recioctl cutover` or `rollback`, as kept in `stage_changes`.
public struct StageChange: Sendable, Equatable, Codable {
    public var service: ServiceName.RawValue
    public var from: MigrationStage
    public var to: MigrationStage
    /// UTC epoch second of the change.
    public var changedAt: Int64
    /// The operator (`$SUDO_USER`, `$USER` or the uid's login name).
    public var changedBy: String
    /// The gate's parity outcome in one line (`pass: …`, `FAIL: …`, `not required …`).
    public var parity: String
    /// The operator's reason when `--force` overrode a gate.
    public var forcedReason: String?
    /// The backup of `services.json` taken before the edit.
    public var configBackup: String?

    public init(service: ServiceName, from: MigrationStage, to: MigrationStage, changedAt: Int64, changedBy: String,
                parity: String, forcedReason: String?, configBackup: String?) {
        self.service = service.rawValue
        self.from = from
        self.to = to
        self.changedAt = changedAt
        self.changedBy = changedBy
        self.parity = parity
        self.forcedReason = forcedReason
        self.configBackup = configBackup
    }
}
