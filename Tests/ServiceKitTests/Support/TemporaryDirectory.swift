import Foundation

/// Runs `body` with a fresh temporary directory (short, so socket paths fit `sun_path`) and removes it.
func withTemporaryDirectory<R>(_ body: (URL) async throws -> R) async rethrows -> R {
    let url = URL(fileURLWithPath: "/tmp").appendingPathComponent("recio-test-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}
