import Foundation
import Migration

/// Finding and running this package's built executables from a test.
public enum ProductProcess {
    /// The path of the product `name` near the test bundle (the build products folder on Linux).
    public static func path(_ name: String) throws -> String {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            folder = folder.deletingLastPathComponent()
        }
        throw TestServiceManagerError(description: "\(name) not found near \(Bundle.main.bundleURL.path); run swift build --build-tests first")
    }

    /// Runs the product to completion with extra environment; returns its status and both outputs.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let result = try await CommandRunner.run([try path(name)] + arguments, environment: environment, timeout: .seconds(300), separateErrors: true)
        return (result.status, result.output, result.errors)
    }
}
