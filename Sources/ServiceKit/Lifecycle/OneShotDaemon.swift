/// A daemon that can also do one unit of work and exit (`<daemon> --once`): e.g. one ingest cycle
/// run by hand or from a timer. `DaemonMain` prepares the stores, calls `runOnce`, shuts down, and
/// exits 0 when it returned `true`, 1 otherwise.
public protocol OneShotDaemon: Daemon {
    /// One unit of work; `false` when some of it failed (already logged).
    func runOnce() async -> Bool
}
