import Foundation

/// A release daemon run as a child process by a benchmark: its own `services.json` in a scratch
/// folder, the systemd variables removed from its environment (so it logs to a file and does not
/// talk to a notify socket), stdout and stderr in `daemon.log`.
public final class DaemonUnderTest {
    /// A daemon that stopped or misbehaved during a benchmark, with where its log is.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public let process: Process
    public let logPath: String
    public var pid: Int32 { process.processIdentifier }

    /// The executable `name` in the folder of the running benchmark's own executable.
    public static func siblingExecutable(_ name: String) -> String {
        let me = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return me.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Writes `services.json` in `directory`: `service` configured with `settings`, every other
    /// service PostgreSQL-only, all in `schema` on the server the PG* variables name.
    public static func writeConfig(directory: String, schema: String, service: String, settings: [String: Any]) throws -> String {
        var services: [String: Any] = [:]
        for name in ["btc_price_watchdog", "kalshi_api_watchdog", "kalshi_historical_ingest", "live_data_analysis"] {
            services[name] = ["writers": ["postgres"], "primary": "postgres"] as [String: Any]
        }
        services["live_data_analysis"] = ["writers": ["postgres"], "primary": "postgres", "reader": "postgres"] as [String: Any]
        services[service] = settings
        let document: [String: Any] = ["postgres": ["conninfo": "", "schema": schema], "services": services]
        let path = directory + "/services.json"
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Starts `executable --config configPath`; `environment` adds or overrides variables
    /// (`MALLOC_ARENA_MAX`, as a unit file would set them).
    public init(executable: String, configPath: String, directory: String, environment extra: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) not found; build it: swift build -c release --product \((executable as NSString).lastPathComponent)")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--config", configPath]
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "RECIO_CONFIG"] { environment[key] = nil }
        environment["RECIO_LOG_LEVEL"] = "warning"
        environment.merge(extra) { $1 }
        process.environment = environment
        logPath = directory + "/daemon.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
    }

    /// Parses `KEY=VALUE` options into an environment.
    public static func environment(_ assignments: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for a in assignments {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else { throw Failure(description: "--env \(a): expected KEY=VALUE") }
            result[String(a[..<eq])] = String(a[a.index(after: eq)...])
        }
        return result
    }

    /// Waits (checking every 50 ms) until `ready` returns true: the daemon's first row.
    public func waitUntil(_ what: String, timeout: TimeInterval = 30, _ ready: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try await !ready() {
            guard process.isRunning else { throw Failure(description: "the daemon exited (\(process.terminationStatus)) before \(what); log: \(logPath)") }
            guard Date() < deadline else { throw Failure(description: "no \(what) in \(Int(timeout)) s; log: \(logPath)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Calls `body` every `interval` for `seconds` (wall time), failing as soon as the daemon exits.
    /// The latency probes are these polls: their resolution is `interval` plus one query.
    public func poll(for seconds: TimeInterval, every interval: Duration, _ body: () async throws -> Void) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            guard process.isRunning else { throw Failure(description: "the daemon exited (\(process.terminationStatus)); log: \(logPath)") }
            try await body()
            try await Task.sleep(for: interval)
        }
    }

    /// Runs `command` (a shell command line) with the daemon's pid appended, and waits for it: a
    /// probe of the running daemon at the end of the measured feed (`scripts/rss-breakdown`).
    /// Its output goes to the benchmark's own stdout and stderr. Nothing when `command` is nil.
    public func probe(_ command: String?) throws {
        guard let command else { return }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/sh")
        probe.arguments = ["-c", "\(command) \(pid)"]
        try probe.run()
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            throw Failure(description: "the probe `\(command) \(pid)` failed with status \(probe.terminationStatus)")
        }
    }

    /// SIGTERM, then reads `VmHWM` every 0.2 ms until the daemon has exited, so that its peak
    /// includes the shutdown (the libraries' exit handlers run last). The figure is the last one
    /// read before the exit tore the daemon's memory down. Returns the exit status and that peak
    /// in KiB (0 when none could be read).
    public func stopReadingPeak() -> (status: Int32, peakKiB: Int) {
        kill(pid, SIGTERM)
        var peak = 0
        while process.isRunning {
            if let hwm = try? ProcStats.status(pid)["VmHWM"] { peak = max(peak, hwm) }
            usleep(200)
        }
        process.waitUntilExit()
        return (process.terminationStatus, peak)
    }

    /// SIGKILL when still running (a benchmark that failed midway).
    public func killIfRunning() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
}
