import Foundation
import Logging
import Testing
@testable import StorageKit

/// A spool in front of real stores under real faults: a PostgreSQL server stopped and started, a
/// process restart with a backlog on disk, a constraint the batch can never satisfy, a lock that
/// makes PostgreSQL slow, a failover to a promoted standby, and a full disk under a shadow.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SpoolingWriterTests {
    static let logger = TestPostgres.logger
    static let retry = RetryPolicy(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(500))
    /// Fast, bounded reconnects: the spool, not the connection's retry loop, rides out outages.
    static let reconnect = PostgresConfiguration.ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(200), budget: .seconds(1))

    static func spoolingWriter(_ store: any Writer<PriceTick>, _ dir: String, role: SpoolingWriter<PriceTick>.Role = .primary,
                               slow: Duration = .seconds(3)) throws -> SpoolingWriter<PriceTick> {
        let spool = Spool(directory: dir + "/spool-\(role.rawValue)", limitBytes: 64 << 20, logger: logger)
        return try SpoolingWriter(writer: store, spool: spool, role: role, slowWriteTimeout: slow, flushTimeout: .seconds(5), retry: retry, logger: logger)
    }

    /// Polls state another process (the server) or a background task changes, with a deadline.
    static func waitUntil(_ what: String, within: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + within
        while !(try await condition()) {
            guard ContinuousClock.now < deadline else { throw SpoolTestTimeout(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    struct SpoolTestTimeout: Error, CustomStringConvertible { let description: String }

    /// Every stored second and how many rows it has.
    static func storedSeconds(_ connection: PostgresConnection, _ schema: PostgresIdentifier) async throws -> (seconds: [Int64], rows: Int) {
        let result = try await connection.query("SELECT extract(epoch FROM ts)::bigint::text FROM \(schema.quoted).price_history ORDER BY ts")
        let seconds = result.rows.compactMap { $0[0].flatMap { Int64($0) } }
        return (seconds, seconds.count)
    }

    static func configuration(_ conninfo: String) -> PostgresConfiguration {
        PostgresConfiguration(connectionString: conninfo, applicationName: "recio-spool-test", connectTimeout: .seconds(2), reconnect: reconnect)
    }

    @Test func anOutageIsSpooledAndReplayedInOrderOnceAlsoAfterARestartOfTheWriter() async throws {
        try await withTemporaryPath { dir in
            try await PrivatePostgresCluster.with { cluster in
                let schema = try PostgresIdentifier("user_0001")
                let admin = PostgresConnection(configuration: Self.configuration(cluster.connectionString), logger: Self.logger)
                try await SchemaMigrator(schema: schema, logger: Self.logger).migrate(on: admin)
                await admin.close()
                func makeWriter() throws -> SpoolingWriter<PriceTick> {
                    try Self.spoolingWriter(try PostgresWriter<PriceTick>(configuration: Self.configuration(cluster.connectionString), schema: schema, logger: Self.logger), dir)
                }
                let base = conformanceBase
                var writer = try makeWriter()
                for i in 0..<5 { try await writer.write(ticks(from: base + Int64(i * 10), count: 10)) }
                #expect(await writer.counts.stored == 50)

                // The server goes away: every write is still acknowledged, from the spool.
                try await cluster.stop()
                for i in 5..<10 { try await writer.write(ticks(from: base + Int64(i * 10), count: 10)) }
                #expect(await writer.counts.spooled == 50)
                #expect(await writer.status().backlog == 50)
                #expect(SpoolMonitor.shared.backlog >= 50)
                // The process stops while the server is still down: the backlog stays on disk.
                try await writer.close()

                // A new process, the server back: the old backlog is replayed first, then new batches, once each.
                try await cluster.start()
                writer = try makeWriter()
                for i in 10..<15 { try await writer.write(ticks(from: base + Int64(i * 10), count: 10)) }
                try await Self.waitUntil("the spool to replay") { await writer.status().backlog == 0 }
                try await writer.close()
                let check = PostgresConnection(configuration: Self.configuration(cluster.connectionString), logger: Self.logger)
                let stored = try await Self.storedSeconds(check, schema)
                await check.close()
                #expect(stored.seconds == Array(base..<base + 150))
                #expect(stored.rows == 150)
                // Replayed and truncated: nothing left to replay.
                let reopened = Spool(directory: dir + "/spool-primary", limitBytes: 1 << 20, logger: Self.logger)
                #expect(try await reopened.isEmpty())
                #expect(await reopened.diskBytes == 0)
                await reopened.close()
            }
        }
    }

    @Test func aBatchTheStoreRejectsFailsTheWriteAndIsNeverSpooled() async throws {
        try await withTemporaryPath { dir in
            try await TestPostgres.withSchema(.migrated) { schema, connection in
                _ = try await connection.execute("ALTER TABLE \(schema.quoted).price_history ADD CONSTRAINT below_100 CHECK (price < 100)")
                let store = try PostgresWriter<PriceTick>(configuration: try TestPostgres.configuration(), schema: schema, logger: Self.logger)
                let writer = try Self.spoolingWriter(store, dir)
                do {
                    try await writer.write([tick(conformanceBase, 20_000)])
                    Issue.record("a row violating a CHECK constraint was acknowledged")
                } catch let error as PostgresError {
                    #expect(error.sqlState == "23514")
                }
                #expect(await writer.counts.spooled == 0)
                #expect(await writer.status().backlog == 0)
                try await writer.write([tick(conformanceBase + 1, 5_000)])
                let counts = await writer.counts
                let status = await writer.status()
                #expect(counts.stored == 1, "\(counts) \(status)")
                try await writer.close()
            }
        }
    }

    /// A lock held by the test makes PostgreSQL slow: writes keep returning (spooled, on disk, not
    /// queued in memory) while the lock is held, and everything is stored once after it is released.
    @Test func aSlowStoreDoesNotBlockTheWriterAndCatchesUpAfterwards() async throws {
        try await withTemporaryPath { dir in
            try await TestPostgres.withSchema(.migrated) { schema, connection in
                let store = try PostgresWriter<PriceTick>(configuration: try TestPostgres.configuration(), schema: schema, logger: Self.logger)
                let writer = try Self.spoolingWriter(store, dir, slow: .milliseconds(500))
                let base = conformanceBase
                try await writer.write(ticks(from: base, count: 10))
                let locker = try TestPostgres.connection()
                _ = try await locker.execute("BEGIN")
                _ = try await locker.execute("LOCK TABLE \(schema.quoted).price_history IN SHARE MODE")  // blocks INSERT, not SELECT
                for i in 1..<20 { try await writer.write(ticks(from: base + Int64(i * 10), count: 10)) }
                // All 19 batches were acknowledged while the lock is still held: none is in PostgreSQL yet.
                #expect(await writer.counts.spooled == 190)
                #expect(try await Self.storedSeconds(connection, schema).rows == 10)
                #expect(await writer.status().backlog == 190)
                _ = try await locker.execute("COMMIT")
                await locker.close()
                try await Self.waitUntil("the spool to replay") { await writer.status().backlog == 0 }
                let stored = try await Self.storedSeconds(connection, schema)
                #expect(stored.seconds == Array(base..<base + 200))
                try await writer.close()
            }
        }
    }

    /// libpq multi-host conninfo with `target_session_attrs=read-write`: the primary stops, writes
    /// spool, the standby is promoted, and the writer follows it with nothing lost or doubled.
    @Test func theWriterFollowsAPromotedStandby() async throws {
        try await withTemporaryPath { dir in
            try await PrivatePostgresCluster.with { primary in
                let schema = try PostgresIdentifier("user_0001")
                let admin = PostgresConnection(configuration: Self.configuration(primary.connectionString), logger: Self.logger)
                try await SchemaMigrator(schema: schema, logger: Self.logger).migrate(on: admin)
                await admin.close()
                try await primary.withStandby { standby in
                    let conninfo = "host=\(primary.socketDirectory),\(standby.socketDirectory) port=\(primary.port),\(standby.port) "
                        + "user=postgres dbname=postgres target_session_attrs=read-write"
                    let store = try PostgresWriter<PriceTick>(configuration: Self.configuration(conninfo), schema: schema, logger: Self.logger)
                    let writer = try Self.spoolingWriter(store, dir)
                    let base = conformanceBase
                    for i in 0..<5 { try await writer.write(ticks(from: base + Int64(i * 10), count: 10)) }
                    #expect(await writer.counts.stored == 50)
                    try await primary.stop()
                    for i in 5..<10 { try await writer.write(ticks(from: base + Int64(i * 10), count: 10)) }
                    #expect(await writer.counts.spooled == 50)
                    try await standby.promote()
                    for i in 10..<15 { try await writer.write(ticks(from: base + Int64(i * 10), count: 10)) }
                    try await Self.waitUntil("the spool to replay on the promoted standby") { await writer.status().backlog == 0 }
                    try await writer.close()
                    let check = PostgresConnection(configuration: Self.configuration(standby.connectionString), logger: Self.logger)
                    let stored = try await Self.storedSeconds(check, schema)
                    let recovery = try await check.query("SELECT pg_is_in_recovery()::text").scalar
                    await check.close()
                    #expect(recovery == "false")
                    #expect(stored.seconds == Array(base..<base + 150))
                }
            }
        }
    }

    /// The SQLite shadow's folder is a tiny tmpfs that fills up: the shadow reports SQLITE_FULL, the
    /// primary keeps storing, and after space is freed the shadow's spool catches it up.
    @Test func aFullDiskUnderTheShadowKeepsThePrimaryGoingAndTheShadowCatchesUp() async throws {
        try await withTemporaryPath { dir in
            try await TestPostgres.withSchema(.migrated) { schema, connection in
                try await withTmpfs(at: dir + "/legacy", size: "512k") { legacy in
                    let path = legacy + "/btc_price_history.db"
                    let primary = try Self.spoolingWriter(
                        try PostgresWriter<PriceTick>(configuration: try TestPostgres.configuration(), schema: schema, logger: Self.logger), dir)
                    let shadowStore = try SQLiteWriter<PriceTick>(path: path, options: .init(busyTimeout: .milliseconds(50)),
                                                                  clock: fixedClock(conformanceBase), logger: Self.logger)
                    let shadow = try Self.spoolingWriter(shadowStore, dir, role: .shadow)
                    let fanOut = FanOutWriter(primary: primary, shadows: [shadow], retry: Self.retry, logger: Self.logger)
                    let base = conformanceBase
                    try await fanOut.write(ticks(from: base, count: 10))
                    try await fanOut.flush()
                    let filler = try fillFileSystem(legacy)
                    for i in 1..<30 { try await fanOut.write(ticks(from: base + Int64(i * 10), count: 10)) }
                    // The primary kept going; the shadow said why it could not.
                    #expect(try await Self.storedSeconds(connection, schema).seconds == Array(base..<base + 300))
                    try await Self.waitUntil("the shadow to spool") { await shadow.counts.spooled > 0 }
                    let status = await fanOut.status()
                    let shadowError = status.shadows.first?.lastError ?? ""
                    #expect(shadowError.contains("full"), "\(shadowError)")
                    try FileManager.default.removeItem(atPath: filler)
                    try await Self.waitUntil("the shadow to catch up") {
                        let s = await fanOut.status()
                        return s.backlog == 0
                    }
                    try await fanOut.close()
                    let rows = try sqlite3CLI(path, "SELECT count(*), count(DISTINCT timestamp) FROM price_log")
                    #expect(rows == "300|300\n")
                }
            }
        }
    }
}

/// Mounts a tmpfs of `size` at `path` for `body`, and always unmounts it. Fails (never skips) when
/// the test cannot mount: it needs root (or CAP_SYS_ADMIN).
func withTmpfs<T>(at path: String, size: String, _ body: (String) async throws -> T) async throws -> T {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let mounted = try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
    guard mounted.status == 0 else {
        throw SpoolingWriterTests.SpoolTestTimeout(description:
            "cannot mount a tmpfs at \(path) for the disk-full test (needs root or CAP_SYS_ADMIN): \(mounted.output)")
    }
    defer { _ = try? runTool("/bin/umount", ["-l", path]) }
    return try await body(path)
}

/// Writes a filler file until the file system at `folder` is full; returns its path.
func fillFileSystem(_ folder: String) throws -> String {
    let path = folder + "/filler"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0, "cannot create \(path)")
    defer { close(fd) }
    let chunk = [UInt8](repeating: 0xAB, count: 4096)
    while chunk.withUnsafeBytes({ write(fd, $0.baseAddress!, $0.count) }) > 0 {}
    return path
}

/// Runs a program and returns its exit status and combined output.
func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
