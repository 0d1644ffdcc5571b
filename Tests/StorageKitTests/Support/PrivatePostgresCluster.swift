import Foundation
import Testing

/// A PostgreSQL cluster of a test's own, in a temporary folder, for tests that must stop or
/// restart the server (never the shared one: other tests run against it in parallel).
///
/// Binaries come from `$PG_BINDIR` (exported by `scripts/pg-sandbox`), else the newest
/// `/usr/lib/postgresql/*/bin`. `initdb` refuses to run as root, so as root every command runs
/// through `runuser -u postgres --` in a folder owned by `postgres`. The server listens only on a
/// Unix socket inside the folder, so its port number cannot clash with anything.
struct PrivatePostgresCluster: Sendable {
    let directory: URL
    let port: Int
    let binDirectory: String

    var socketDirectory: String { directory.appendingPathComponent("socket").path }
    var dataDirectory: String { directory.appendingPathComponent("data").path }
    /// The libpq conninfo for this cluster.
    var connectionString: String { "host=\(socketDirectory) port=\(port) user=postgres dbname=postgres" }

    /// Creates and starts a cluster, runs `body`, and always stops and deletes it.
    static func with<T>(_ body: (PrivatePostgresCluster) async throws -> T) async throws -> T {
        let bin = try binDirectory()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recio-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("socket"), withIntermediateDirectories: true)
        let cluster = PrivatePostgresCluster(directory: directory, port: Int.random(in: 20_000...60_000), binDirectory: bin)
        do {
            if getuid() == 0 { try await run(["chown", "-R", "postgres", directory.path], in: directory) }
            try await cluster.postgres(["initdb", "-D", cluster.dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
            try await cluster.pgctl("start")
            let value = try await body(cluster)
            await cluster.destroy()
            return value
        } catch {
            await cluster.destroy()
            throw error
        }
    }

    /// `pg_ctl restart -m fast`: terminates every session, waits until the server accepts again.
    func restart() async throws {
        try await pgctl("restart", "-m", "fast")
    }

    private func pgctl(_ command: String, _ extra: String...) async throws {
        let options = "-p \(port) -k \(socketDirectory) -c listen_addresses= -c fsync=off -c max_connections=50"
        try await postgres(["pg_ctl", "-D", dataDirectory, "-l", directory.appendingPathComponent("server.log").path,
                            "-w", "-t", "60", "-o", options] + extra + [command])
    }

    private func destroy() async {
        _ = try? await postgres(["pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs a PostgreSQL program from the bin folder, as `postgres` when we are root.
    private func postgres(_ arguments: [String]) async throws {
        var argv = arguments
        argv[0] = binDirectory + "/" + argv[0]
        if getuid() == 0 { argv = ["runuser", "-u", "postgres", "--"] + argv }
        try await Self.run(argv, in: directory)
    }

    private static func binDirectory() throws -> String {
        let fm = FileManager.default
        if let dir = ProcessInfo.processInfo.environment["PG_BINDIR"], fm.isExecutableFile(atPath: dir + "/initdb") {
            return dir
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() where fm.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        try #require(Bool(false), "no PostgreSQL server binaries: set PG_BINDIR or install the postgresql package")
        return ""
    }

    /// Runs a command to completion without blocking a cooperative thread; its output goes to a
    /// log file that is quoted when it fails.
    private static func run(_ arguments: [String], in directory: URL) async throws {
        let logURL = directory.appendingPathComponent("commands.log")
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        try log.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            let serverLog = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            throw ClusterError(description: "\(arguments.joined(separator: " ")) exited with \(status)\n\(output.suffix(2000))\n\(serverLog.suffix(2000))")
        }
    }

    struct ClusterError: Error, CustomStringConvertible {
        let description: String
    }
}
