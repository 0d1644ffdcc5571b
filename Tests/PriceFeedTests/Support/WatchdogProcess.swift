import Foundation
import Testing

/// A running `btc-price-watchdog` executable (the real binary from the build products folder),
/// its output captured in a log file.
///
/// `@unchecked Sendable`: both stored properties are immutable, and the `Process` is only asked for
/// its pid, its exit status and to wait, which Foundation allows from any thread.
final class WatchdogProcess: @unchecked Sendable {
    let process: Process
    let logURL: URL

    /// The executable next to the test bundle (the build products folder on Linux).
    static func executable() throws -> URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("btc-price-watchdog")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        try #require(Bool(false), "btc-price-watchdog not found near \(Bundle.main.bundleURL.path); run swift build --build-tests first")
        return folder
    }

    /// Starts the daemon with `config`; its output goes to `log`. `environment` adds or overrides
    /// variables (`RECIO_LOG_LEVEL`, `NOTIFY_SOCKET`, `WATCHDOG_USEC`).
    init(config: URL, log: URL, arguments: [String] = [], environment extra: [String: String] = [:]) throws {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = ["--config", config.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "RECIO_CONFIG"] { environment[key] = nil }
        environment["RECIO_LOG_LEVEL"] = "info"
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        self.logURL = log
    }

    /// Everything the daemon logged so far.
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Waits for the process to end and returns its exit status.
    func waitForExit() async -> Int32 {
        await Task.detached { [process] in
            process.waitUntilExit()
            return process.terminationStatus
        }.value
    }

    /// Sends SIGTERM (graceful shutdown) and waits for the exit status.
    func terminate() async -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return await waitForExit()
    }

    /// SIGKILL: no shutdown, no flush, as in a crash; waits for the process to be gone.
    func kill9() async {
        kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit()
    }

    /// The resident set size (`VmRSS`) in KiB, from `/proc`.
    var residentKiB: Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Runs the sqlite3 command-line shell on `path` and returns its output (the legacy readers'
/// view of the file, independent of our SQLite code).
func sqlite3CLI(_ path: String, _ sql: String) throws -> String {
    var attempt = 0
    while true {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The daemon may be writing: wait for its lock instead of failing with "database is locked".
        process.arguments = ["sqlite3", "-cmd", ".timeout 10000", path, sql]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        // A WAL reader can still see SQLITE_BUSY while the writer checkpoints; try again briefly.
        if process.terminationStatus != 0, attempt < 5, text.contains("locked") || text.contains("busy") {
            attempt += 1
            usleep(200_000)
            continue
        }
        try #require(process.terminationStatus == 0, "sqlite3 failed: \(text)")
        return text
    }
}

/// The legacy key text an instant gets in New York local time, computed with the system tz
/// database (independently of `NewYorkTime`), exactly as the legacy Python formatted it:
/// `datetime.now(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M:%S")`.
func legacyKeyOracle(_ second: Int64) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "America/New_York")!
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
    return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(second)))
}
