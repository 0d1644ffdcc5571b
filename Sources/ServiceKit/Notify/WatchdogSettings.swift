#if canImport(Glibc)
import Glibc
#endif

/// The watchdog systemd asked for through `$WATCHDOG_USEC` (from `WatchdogSec=`) and
/// `$WATCHDOG_PID`.
public struct WatchdogSettings: Sendable, Hashable {
    /// How long systemd waits for a ping before it kills the service.
    public var timeout: Duration

    /// The ping period: a quarter of the timeout (`sd_watchdog_enabled(3)` asks for at most half),
    /// so a ping delayed by a busy machine, a slow health check or a stop-the-world moment still
    /// arrives well before systemd's limit: consecutive pings stay under half the timeout apart.
    public var pingInterval: Duration { timeout / 4 }

    public init(timeout: Duration) { self.timeout = timeout }

    /// The watchdog requested for process `processID`, or `nil` when `$WATCHDOG_USEC` is unset or
    /// invalid, or `$WATCHDOG_PID` names another process (the variables were inherited from a
    /// parent).
    public static func from(environment: [String: String], processID: Int32 = getpid()) -> WatchdogSettings? {
        guard let raw = environment["WATCHDOG_USEC"], let usec = UInt64(raw), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], !pid.isEmpty {
            guard Int32(pid) == processID else { return nil }
        }
        return WatchdogSettings(timeout: .microseconds(Int64(clamping: usec)))
    }
}
