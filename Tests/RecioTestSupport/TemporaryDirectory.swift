import Foundation
import Logging

/// Runs `body` with a fresh folder under `/tmp` (short, so unix socket paths fit `sun_path`) and
/// always removes it afterwards, restoring write permission first for tests that take it away.
public func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = URL(fileURLWithPath: "/tmp").appendingPathComponent("recio-test-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer {
        chmod(url.path, 0o755)
        if let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) {
            for name in names { chmod(url.path + "/" + name, 0o644) }
        }
        try? FileManager.default.removeItem(at: url)
    }
    return try await body(url)
}

/// A logger that only reports problems.
public func quietLogger(_ label: String = "recio.tests") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .error
    return logger
}
