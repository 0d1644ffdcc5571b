/// The answer of a daemon's own health check (for example: the price watchdog stored a row within
/// the last N seconds). The watchdog pings systemd only while it is `healthy`.
public enum HealthReport: Sendable, Hashable {
    /// The daemon is making progress.
    case healthy
    /// The daemon is wedged or cannot make progress; `reason` is logged for the operator.
    case unhealthy(reason: String)
}
