import Foundation
import Testing

/// A daemon binary of this package run as a real child process, with its stderr (the log) in a file.
final class DaemonProcess: @unchecked Sendable {
    // Safe: `process` is configured before `run()` and afterwards only read or signalled; Foundation's
    // `Process` is itself thread-safe for those calls.
    let process = Process()
    let logPath: String

    /// The build products folder (on Linux the test binary sits beside the executables).
    static var productsDirectory: URL {
        Bundle.main.bundleURL
    }

    /// Starts `executable` (a product of this package) with `arguments` and extra environment.
    init(_ executable: String, arguments: [String], environment: [String: String] = [:], logPath: String) throws {
        let url = Self.productsDirectory.appendingPathComponent(executable)
        try #require(FileManager.default.isExecutableFile(atPath: url.path), "\(url.path) is not built (run swift build)")
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["JOURNAL_STREAM"] = nil
        env["NOTIFY_SOCKET"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the exit status, killing the process if it takes longer than `timeout`.
    func waitForExit(timeout: Duration = .seconds(60)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                kill(process.processIdentifier, SIGKILL)
                Issue.record("\(process.executableURL?.lastPathComponent ?? "daemon") did not exit within \(timeout); log:\n\(log.suffix(3000))")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Everything the daemon logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text` (polling a file the child appends to).
    func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if log.contains(text) { return true }
            if !process.isRunning { return log.contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
