import Foundation

/// One of this package's daemon executables run as a real child process, for the cross-target
/// fault tests: its output in a log file, its systemd notifications on a socket of its own
/// (`NotifyRecorder`), and the watchdog requested through `WATCHDOG_USEC`.
///
/// `@unchecked Sendable`: the stored properties are immutable, and the `Process` is only asked for
/// its pid, whether it runs, its exit status and to wait, which Foundation allows from any thread.
public final class ProductDaemon: @unchecked Sendable {
    public let product: String
    public let process: Process
    public let logURL: URL
    /// What the daemon sent to its notify socket, timed on arrival.
    public let notifications: NotifyRecorder

    /// Starts `product` with `--config config`, its log in `directory/<product>.log` and its
    /// notify socket `directory/<product>.notify`. `watchdog` sets `WATCHDOG_USEC`; `environment`
    /// adds variables (`RECIO_LOG_LEVEL=debug` for the acknowledgement lines).
    public init(_ product: String, config: URL, directory: URL, watchdog: Duration? = nil, environment extra: [String: String] = [:]) throws {
        self.product = product
        let notifications = try NotifyRecorder(directory: directory, name: "\(product).notify")
        let log = directory.appendingPathComponent("\(product).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ProductProcess.path(product))
        process.arguments = ["--config", config.path]
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "RECIO_CONFIG"] { environment[key] = nil }
        environment["NOTIFY_SOCKET"] = notifications.address
        if let watchdog {
            let (seconds, attoseconds) = watchdog.components
            environment["WATCHDOG_USEC"] = String(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        }
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.logURL = log
        self.notifications = notifications
    }

    /// Everything the daemon logged so far.
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    public var isRunning: Bool { process.isRunning }

    /// SIGTERM (graceful shutdown); waits for and returns the exit status.
    public func terminate() async -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return await Task.detached { [process] in
            process.waitUntilExit()
            return process.terminationStatus
        }.value
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        notifications.stop()
    }
}
