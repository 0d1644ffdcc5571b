import Foundation

/// A PostgreSQL cluster of a test's own, in a temporary folder, for tests that must stop or
/// restart the server (never the shared one: other tests run against it in parallel).
///
/// Binaries come from `$PG_BINDIR` (exported by `scripts/pg-sandbox`), else the newest
/// `/usr/lib/postgresql/*/bin`. `initdb` refuses to run as root, so as root every command runs
/// through `runuser -u postgres --` in a folder owned by `postgres`. The server listens only on a
/// Unix socket inside the folder, so its port number cannot clash with anything.
public struct PrivatePostgresCluster: Sendable {
    public let directory: URL
    public let port: Int
    public let binDirectory: String

    public var socketDirectory: String { directory.appendingPathComponent("socket").path }
    public var dataDirectory: String { directory.appendingPathComponent("data").path }
    /// The libpq conninfo for this cluster.
    public var connectionString: String { "host=\(socketDirectory) port=\(port) user=postgres dbname=postgres" }

    /// Creates and starts a cluster, runs `body`, and always stops and deletes it.
    public static func with<T>(_ body: (PrivatePostgresCluster) async throws -> T) async throws -> T {
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

    /// A streaming standby of this cluster in a folder of its own (`pg_basebackup -R`), started;
    /// `body` runs with it, and it is always stopped and deleted afterwards. The primary must be running.
    public func withStandby<T>(_ body: (PrivatePostgresCluster) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recio-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("socket"), withIntermediateDirectories: true)
        let standby = PrivatePostgresCluster(directory: directory, port: Int.random(in: 20_000...60_000), binDirectory: binDirectory)
        do {
            if getuid() == 0 { try await Self.run(["chown", "-R", "postgres", directory.path], in: directory) }
            try await standby.postgres(["pg_basebackup", "-h", socketDirectory, "-p", String(port), "-U", "postgres",
                                        "-D", standby.dataDirectory, "-R", "-X", "stream", "--no-sync"])
            try await standby.pgctl("start")
            let value = try await body(standby)
            await standby.destroy()
            return value
        } catch {
            await standby.destroy()
            throw error
        }
    }

    /// `pg_ctl promote`: a standby becomes a read-write primary (waits until it is).
    public func promote() async throws {
        try await postgres(["pg_ctl", "-D", dataDirectory, "-w", "-t", "60", "promote"])
    }

    /// `pg_ctl restart -m fast`: terminates every session, waits until the server accepts again.
    public func restart() async throws {
        try await pgctl("restart", "-m", "fast")
    }

    /// `pg_ctl stop -m fast`: the server is down until `start()`.
    public func stop() async throws {
        try await pgctl("stop", "-m", "fast")
    }

    /// Starts a stopped server and waits until it accepts connections.
    public func start() async throws {
        try await pgctl("start")
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
        throw ClusterError(description: "no PostgreSQL server binaries: set PG_BINDIR or install the postgresql package")
    }

    /// Runs a command to completion; its output goes to a log file that is quoted when it fails.
    ///
    /// `posix_spawnp` + `waitpid` rather than Foundation `Process`: on Linux `Process` learns of
    /// the exit through a descriptor the child inherits, and `pg_ctl start` hands that descriptor
    /// on to the postmaster, which keeps running, so the exit would never be seen. The wait runs
    /// on a Dispatch thread, not on the cooperative pool.
    private static func run(_ arguments: [String], in directory: URL) async throws {
        let logPath = directory.appendingPathComponent("commands.log").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw ClusterError(description: "cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        let child = pid
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitCode == 0 else {
            let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            let serverLog = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            throw ClusterError(description: "\(arguments.joined(separator: " ")) exited with \(exitCode)\n\(output.suffix(2000))\n\(serverLog.suffix(2000))")
        }
    }

    public struct ClusterError: Error, CustomStringConvertible {
        public let description: String
    }
}
