import Foundation
import Testing

/// Runs a built executable of this package (found next to the test bundle) and captures its output.
enum BuiltExecutable {
    static func url(_ name: String) throws -> URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        try #require(Bool(false), "\(name) not found near \(Bundle.main.bundleURL.path); run swift build --build-tests first")
        return folder
    }
}

/// One finished `recioctl` run.
struct RecioCtlProcess {
    var status: Int32
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }

    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> RecioCtlProcess {
        let process = Process()
        process.executableURL = try BuiltExecutable.url("recioctl")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["RECIO_CONFIG"] = nil
        for (k, v) in extra { environment[k] = v }
        process.environment = environment
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("recioctl-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errPath.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errPath)
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errText = (try? String(contentsOf: errPath, encoding: .utf8)) ?? ""
        return RecioCtlProcess(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: errText)
    }
}
