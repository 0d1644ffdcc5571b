import Foundation
import Testing
import StorageKit

/// Runs the built `recioctl` binary end to end and checks its exit statuses.
@Suite("recioctl command line", .timeLimit(.minutes(3)))
struct RecioCtlCommandTests {
    /// The `recioctl` executable in the build products folder (where the test bundle is on Linux).
    static func executable() throws -> URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("recioctl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        try #require(Bool(false), "recioctl not found near \(Bundle.main.bundleURL.path); run swift build --build-tests first")
        return folder
    }

    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        async let o = Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        async let e = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        let (stdout, stderr) = await (o, e)
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func exitStatuses() async throws {
        let help = try await Self.run(["parity", "price-history", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--sqlite"))
        let usage = try await Self.run(["parity", "price-history"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--sqlite"))

        try await withTemporaryDirectory { dir in
            let fixture = try LegacyFixture(path: dir.appendingPathComponent("btc_price_history.db").path)
            try await TestPostgres.withSchema { schema, conn in
                let config = dir.appendingPathComponent("services.json")
                try writeServicesConfig(at: config, schema: schema.name, legacyDir: nil)
                let bogus = dir.appendingPathComponent("bogus.db")
                try Data("not sqlite".utf8).write(to: bogus)
                let bad = try await Self.run(["backfill", "price-history", "--config", config.path, "--from", bogus.path, "--reject-file", dir.appendingPathComponent("r").path])
                #expect(bad.status == 2)
                #expect(bad.stderr.contains("is not an SQLite database"))

                let load = try await Self.run(["backfill", "price-history", "--config", config.path, "--from", fixture.path,
                                               "--reject-file", dir.appendingPathComponent("r").path, "--json"])
                #expect(load.status == 0, "\(load.stderr)")
                #expect(load.stdout.contains("\"inserted\" : \(fixture.expected.count)"))
                #expect(load.stderr.contains("rows/s"))  // plain progress lines (stderr is not a terminal)

                let ok = try await Self.run(["parity", "price-history", "--config", config.path, "--sqlite", fixture.path])
                #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
                #expect(ok.stdout.hasSuffix("parity: OK\n"))

                try await conn.execute("DELETE FROM \(schema.quoted).price_history WHERE ts = (SELECT max(ts) FROM \(schema.quoted).price_history)")
                let failed = try await Self.run(["parity", "price-history", "--config", config.path, "--sqlite", fixture.path, "--json"])
                #expect(failed.status == 1)
                #expect(failed.stdout.contains("\"mismatchCount\" : 1"))
            }
        }
    }
}
