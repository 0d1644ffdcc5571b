import Foundation
@testable import StorageKit

/// Runs `body` with a fresh, unique temporary folder, removed afterwards whatever happens
/// (permissions are restored first, for tests that make it read-only).
func withTemporaryPath<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = NSTemporaryDirectory() + "storagekit-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer {
        chmod(path, 0o755)
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names { chmod(path + "/" + name, 0o644) }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
    return try await body(path)
}

/// Runs the `sqlite3` command-line shell on `file` and returns its standard output: an independent
/// reader of what our writer produced.
func sqlite3CLI(_ file: String, _ command: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [file, command]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// A tick at `second` with a price in cents.
func tick(_ second: Int64, _ cents: Int64) -> PriceTick {
    PriceTick(second: second, price: USDCents(cents: cents), source: .coinbaseWebSocket)
}

/// Epoch seconds of a UTC civil time.
func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Int64 {
    CivilDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s).epochSecondsAsUTC
}

/// A clock fixed at one instant.
func fixedClock(_ second: Int64) -> @Sendable () -> Date {
    { Date(timeIntervalSince1970: TimeInterval(second)) }
}
