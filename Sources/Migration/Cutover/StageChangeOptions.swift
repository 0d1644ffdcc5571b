import Foundation
import ServiceKit
import StorageKit

/// Everything one `recioctl cutover` / `rollback` needs.
public struct StageChangeOptions: Sendable {
    /// `cutover` moves one stage forward, `rollback` one stage back.
    public enum Direction: String, Sendable { case cutover, rollback }

    public var configPath: String
    public var service: ServiceName
    public var direction: Direction
    /// For `cutover --to`: the stage asked for (must be the next one). `nil`: the next one.
    public var target: MigrationStage?
    /// Override the gates (parity, minimum dual time); needs `reason`, which is recorded.
    public var force = false
    public var reason: String?
    /// Parity window length (default 7 days; all data when there is less).
    public var parityWindowSeconds: Int64 = 7 * 86_400
    /// The parity window ends this long before now, so rows still in flight to a shadow are not
    /// counted as missing.
    public var paritySettleSeconds: Int64 = 10
    /// Minimum time in a dual stage before leaving it forward (the seed's "min. 1 week").
    public var minimumDualSeconds: Int64 = 7 * 86_400
    /// Print the edit, change nothing.
    public var dryRun = false
    /// Edit the file (and record the change) without reloading the service.
    public var noApply = false
    /// How long the service has to come back active and healthy before the file is rolled back.
    public var healthTimeout: Duration = .seconds(120)
    public var pollInterval: Duration = .milliseconds(500)
    /// "Now" for the gate, the history and the parity window (recioctl's injected clock in tests).
    public var now: Date = Date()
    /// Who is recorded as having made the change.
    public var changedBy: String = StageChangeOptions.currentUser()
    public var control: ServiceControl = ServiceControl()
    /// PostgreSQL (the history, the parity's PostgreSQL side).
    public var postgres: PostgresConfiguration?
    public var schema: PostgresIdentifier = .defaultSchema

    public init(configPath: String, service: ServiceName, direction: Direction) {
        self.configPath = configPath
        self.service = service
        self.direction = direction
    }

    /// `$SUDO_USER`, else `$USER`, else the uid's login name, else `uid N`.
    public static func currentUser() -> String {
        let env = ProcessInfo.processInfo.environment
        if let user = env["SUDO_USER"], !user.isEmpty { return user }
        if let user = env["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}
