import ArgumentParser
import BenchmarkSupport
import Foundation
import Logging
import Migration
import StorageKit

/// recioctl's migration speed on a large legacy file (issue 8): `backfill` rows/s and `parity` wall
/// time, beside raw baselines measured in the same run on the same rows.
///
///     swift build -c release --product migration-benchmark
///     .build/release/migration-benchmark                 # 25,000,000 rows
///
/// PostgreSQL is the one the PG* variables name (scripts/pg-sandbox starts one). Steps:
/// 1. The legacy `btc_price_history.db` with N one-second rows (from 2025-01-01 00:00 New York
///    time, legacy key text, prices with cents, derived columns filled) is generated once by
///    `sqlite3` itself (one statement) into the cache folder and reused by later runs.
/// 2. `backfill` (the library recioctl runs) into a fresh schema.
/// 3. `VACUUM (ANALYZE)` of the loaded table (what autovacuum does to it within minutes), then
///    `parity` with no difference (must report none), then with 10 scattered prices changed in
///    PostgreSQL (must report exactly those 10), then the prices are put back.
/// 4. Baselines: `psql \copy` of the same rows (exported once from the backfilled table) into a
///    fresh schema, and `pgloader` migrating the same SQLite file into a scratch database.
@main
struct MigrationBenchmark: AsyncParsableCommand {
    @Option(help: "Legacy rows (1-second).") var rows = 25_000_000
    @Option(help: "Folder for the generated legacy file and the COPY export (kept between runs).")
    var cache = NSTemporaryDirectory() + "recio-migration-benchmark"
    @Flag(help: "Skip the pgloader baseline.") var skipPgloader = false
    @Flag(help: "Skip the psql \\copy baseline.") var skipCopy = false
    @Option(help: "Backfill rows per COPY transaction (recioctl's default).") var chunkSize = 50_000
    @Flag(help: "Only the parity runs: PostgreSQL is loaded from the cached COPY export of an earlier full run instead of by backfill.")
    var parityOnly = false
    @Option(help: "PostgreSQL connections in parity (default: recioctl's, one per core, at most 2).") var workers: Int?
    @Option(help: "SQLite readers in parity (default: recioctl's, 2 from 4 cores on).") var legacyReaders: Int?
    @Option(help: "Clean parity runs (each timed; the table shows the fastest).") var repeatParity = 1

    /// 2025-01-01 00:00:00 New York (EST) = 05:00 UTC; no autumn fall-back within 25M seconds.
    static let start: Int64 = 1_735_707_600

    func run() async throws {
        var logger = Logger(label: "migration-benchmark")
        logger.logLevel = .error
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        let conditions = "\(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadAverage())"
        say("migration-benchmark: \(rows) rows; \(conditions); cache \(cache)")

        // 1. The legacy file.
        let legacy = cache + "/btc_price_history-\(rows).db"
        if FileManager.default.fileExists(atPath: legacy) {
            say("legacy file: reusing \(legacy)")
        } else {
            let seconds = try time { try generateLegacy(at: legacy) }
            say("legacy file: generated \(legacy) in \(fmt(seconds)) s")
        }

        let configuration = PostgresConfiguration(applicationName: "migration-benchmark")
        let admin = PostgresConnection(configuration: configuration, logger: logger)
        let schema = try PostgresIdentifier("bench_migration")
        try await admin.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")

        // 2. Backfill (or, with --parity-only, a plain \copy of the cached export).
        var summary = BackfillSummary()
        var backfillSeconds: Double?
        if parityOnly {
            let export = cache + "/price_history-\(rows).copy"
            guard FileManager.default.fileExists(atPath: export) else {
                throw ValidationError("--parity-only needs \(export), which a full run writes")
            }
            try await SchemaMigrator(schema: schema, logger: logger).migrate(on: admin)
            summary.firstSecond = Self.start
            summary.lastSecond = Self.start + Int64(rows) - 1
            try await admin.ensureMonthlyPartitions(schema: schema, table: "price_history",
                                                    months: Self.months(Self.start, Self.start + Int64(rows) - 1))
            try runTool("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                          "\\copy \(schema.quoted).price_history (ts, price, source) FROM '\(export)'"])
            say("loaded PostgreSQL from \(export)")
        } else {
            let rejects = cache + "/backfill.reject"
            let backfill = PriceHistoryBackfill(
                options: .init(source: legacy, postgres: configuration, schema: schema, chunkSize: chunkSize, rejectFile: rejects),
                logger: logger)
            let seconds = try await timeAsync { summary = try await backfill.run() }
            backfillSeconds = seconds
            guard summary.inserted == rows, summary.rejected == 0 else {
                throw ValidationError("backfill stored \(summary.inserted) of \(rows) rows (\(summary.rejected) rejected)")
            }
            say("backfill: \(summary.inserted) rows in \(fmt(seconds)) s")
        }

        // 3. Parity, clean and with 10 scattered differences; beside it, in the same run, the raw
        // floors: one sqlite3 pass over the legacy table, one aggregate of the row hash over the
        // PostgreSQL table (the server's own plan, parallel where it chooses), and the legacy side
        // of parity alone (the library's scan of the whole file, one reader).
        // The table as it is at rest: autovacuum processes a freshly loaded table within minutes (it
        // sets the hint bits and the visibility map, so a scan no longer checks each row's
        // visibility); done here at once, timed, so every parity run below sees the same state.
        let vacuumSeconds = try await timeAsync { try await admin.execute("VACUUM (ANALYZE) \(schema.quoted).price_history") }
        say("VACUUM (ANALYZE) of the loaded table: \(fmt(vacuumSeconds)) s")
        var parityOptions = PriceHistoryParity.Options(sqlitePath: legacy, postgres: configuration, schema: schema)
        if let workers { parityOptions.workers = workers }
        if let legacyReaders { parityOptions.legacyReaders = legacyReaders }
        let parity = PriceHistoryParity(options: parityOptions, logger: logger)
        var cleanSeconds: [Double] = []
        var buckets = 0
        // CPU seconds beside the wall time (a busy machine stretches wall time, not CPU time): this
        // process's, and the PostgreSQL server's (the postmaster's children, running or exited;
        // autovacuum counts too when it runs meanwhile).
        let postmaster = try await postmasterPID(admin)
        var cpu: [(ours: Double, server: Double?)] = []
        for _ in 0..<max(1, repeatParity) {
            let (ours, server) = (processCPUSeconds(), postmaster.flatMap(childrenCPUSeconds))
            let clean = try await parity.run()
            cpu.append((processCPUSeconds() - ours, postmaster.flatMap(childrenCPUSeconds).flatMap { now in server.map { now - $0 } }))
            guard clean.ok, clean.mismatchCount == 0, clean.legacyRows == rows, clean.postgresRows == rows else {
                throw ValidationError("clean parity reported \(clean.mismatchCount) difference(s), \(clean.legacyRows)/\(clean.postgresRows) rows")
            }
            cleanSeconds.append(clean.elapsedSeconds)
            buckets = clean.buckets
            say("parity (clean, \(parityOptions.legacyReaders) SQLite reader(s), \(parityOptions.workers) PostgreSQL connection(s)): \(fmt(clean.elapsedSeconds)) s, \(clean.buckets) buckets; "
                + "CPU: \(fmt(cpu.last!.ours)) s here, \(cpu.last!.server.map(fmt) ?? "?") s PostgreSQL; load average \(loadAverage())")
        }
        let sqliteFloor = try time {
            try runTool("/usr/bin/sqlite3", [legacy, "SELECT count(*), sum(length(timestamp)), sum(price) FROM price_log NOT INDEXED"], quiet: true)
        }
        say("floor, sqlite3 scan of price_log: \(fmt(sqliteFloor)) s")
        let postgresFloor = try await timeAsync {
            _ = try await admin.query("SELECT count(*), sum(hash_numeric_extended(price, date_part('epoch', ts)::bigint)) FROM \(schema.quoted).price_history")
        }
        say("floor, PostgreSQL aggregate of the row hash: \(fmt(postgresFloor)) s")
        let legacySide = try await timeAsync {
            let file = try await LegacyPriceLogFile(path: legacy, integrityCheck: false)
            let scan = try await file.scan(from: Self.start, to: Self.start + Int64(rows), origin: Self.start, step: 3600, wholeTable: true)
            await file.close()
            guard scan.segments.values.reduce(0, { $0 + $1.count }) == rows else { throw ValidationError("legacy scan missed rows") }
        }
        say("legacy side alone (one reader): \(fmt(legacySide)) s")
        let table = "\(schema.quoted).price_history"
        let first = summary.firstSecond ?? 0
        let damaged = (0..<10).map { first + Int64($0) * Int64(rows / 10) + 12_345 }
        for second in damaged {
            try await admin.execute("UPDATE \(table) SET price = price + 0.01 WHERE ts = to_timestamp($1::double precision)", [String(second)])
        }
        let dirty = try await parity.run()
        for second in damaged {
            try await admin.execute("UPDATE \(table) SET price = price - 0.01 WHERE ts = to_timestamp($1::double precision)", [String(second)])
        }
        let found = Set(dirty.mismatches.map(\.second))
        guard dirty.mismatchCount == 10, found == Set(damaged) else {
            throw ValidationError("parity with 10 differences reported \(dirty.mismatchCount): \(found.sorted())")
        }
        say("parity (10 differences): \(fmt(dirty.elapsedSeconds)) s, found all 10")

        // 4a. Raw \copy of the same rows into a fresh, partitioned table.
        var copySeconds: Double?
        if !skipCopy && !parityOnly {
            let export = cache + "/price_history-\(rows).copy"
            if !FileManager.default.fileExists(atPath: export) {
                try runTool("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                              "\\copy (SELECT ts, price, source FROM \(table) ORDER BY ts) TO '\(export).part'"])
                try FileManager.default.moveItem(atPath: export + ".part", toPath: export)
            }
            let raw = try PostgresIdentifier("bench_migration_raw")
            try await admin.execute("DROP SCHEMA IF EXISTS \(raw.quoted) CASCADE")
            try await SchemaMigrator(schema: raw, logger: logger).migrate(on: admin)
            try await admin.ensureMonthlyPartitions(schema: raw, table: "price_history",
                                                    months: Self.months(first, summary.lastSecond ?? first))
            copySeconds = try time {
                try runTool("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                              "\\copy \(raw.quoted).price_history (ts, price, source) FROM '\(export)'"])
            }
            try await admin.execute("DROP SCHEMA IF EXISTS \(raw.quoted) CASCADE")
            say("psql \\copy: \(fmt(copySeconds!)) s")
        }

        // 4b. pgloader migrating the same SQLite file into a scratch database.
        var pgloaderSeconds: Double?
        if !skipPgloader && !parityOnly {
            try await admin.execute("DROP DATABASE IF EXISTS recio_pgloader_bench")
            try await admin.execute("CREATE DATABASE recio_pgloader_bench")
            let env = ProcessInfo.processInfo.environment
            let host = env["PGHOST"] ?? "/var/run/postgresql"
            let target = "postgresql://\(env["PGUSER"] ?? "postgres")@\(host.hasPrefix("/") ? "unix:" + host : host):\(env["PGPORT"] ?? "5432")/recio_pgloader_bench"
            let command = cache + "/pgloader.load"
            try """
                LOAD DATABASE
                     FROM sqlite://\(legacy)
                     INTO \(target)
                WITH include drop, create tables, create indexes, reset sequences
                INCLUDING ONLY TABLE NAMES LIKE 'price_log';

                """.write(toFile: command, atomically: true, encoding: .utf8)
            pgloaderSeconds = try time { try runTool("/usr/bin/pgloader", ["--quiet", command], quiet: true) }
            let scratch = PostgresConnection(
                configuration: PostgresConfiguration(connectionString: "dbname=recio_pgloader_bench", applicationName: "migration-benchmark"),
                logger: logger)
            let loaded = try await scratch.query("SELECT count(*) FROM price_log").scalar
            await scratch.close()
            try await admin.execute("DROP DATABASE IF EXISTS recio_pgloader_bench")
            guard loaded == String(rows) else { throw ValidationError("pgloader loaded \(loaded ?? "nil") of \(rows) rows") }
            say("pgloader: \(fmt(pgloaderSeconds!)) s")
        }
        try await admin.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
        await admin.close()

        say("")
        say(pad("measure", 34) + pad("seconds", 10) + pad("rows/s", 12) + "ratio / target")
        func line(_ name: String, _ seconds: Double, _ ratio: String) {
            say(pad(name, 34) + pad(fmt(seconds), 10) + pad(String(Int(Double(rows) / seconds)), 12) + ratio)
        }
        if let backfillSeconds { line("recioctl backfill", backfillSeconds, "") }
        if let copySeconds, let backfillSeconds {
            line("psql \\copy (same rows)", copySeconds, "backfill = \(fmt(copySeconds / backfillSeconds))× of \\copy (target ≥ 0.8×)")
        }
        if let pgloaderSeconds, let backfillSeconds {
            line("pgloader (same SQLite file)", pgloaderSeconds, "backfill = \(fmt(pgloaderSeconds / backfillSeconds))× pgloader (target ≥ 2×)")
        }
        line("recioctl parity, no difference (\(buckets) buckets)", cleanSeconds.min() ?? 0,
             "target ≤ 10 s" + (cleanSeconds.count > 1 ? " (fastest of \(cleanSeconds.map(fmt).joined(separator: ", ")))" : ""))
        line("recioctl parity, 10 differences", dirty.elapsedSeconds, "target ≤ 10 s")
        if let best = cleanSeconds.indices.min(by: { cleanSeconds[$0] < cleanSeconds[$1] }) {
            say(pad("  its CPU: here / PostgreSQL", 34) + "\(fmt(cpu[best].ours)) s / \(cpu[best].server.map(fmt) ?? "?") s")
        }
        line("floor: sqlite3 scan of price_log", sqliteFloor, "")
        line("floor: PostgreSQL hash aggregate", postgresFloor, "")
        line("legacy side alone (one reader)", legacySide, "")
        say("conditions at the end: load average \(loadAverage())")
    }

    /// The months `[first, last]` touches.
    static func months(_ first: Int64, _ last: Int64) -> [PartitionMonth] {
        var months: Set<PartitionMonth> = [PartitionMonth(epochSeconds: last)]
        var s = first
        while s <= last { months.insert(PartitionMonth(epochSeconds: s)); s += 86_400 }
        return months.sorted()
    }

    /// The legacy file, written by sqlite3 in one statement (key order, one transaction), then
    /// renamed into place so an interrupted generation is never reused.
    func generateLegacy(at path: String) throws {
        let part = path + ".part"
        try? FileManager.default.removeItem(atPath: part)
        let start = Self.start
        let create = PriceTick.sqlite!.createSQL
        // Keys: the legacy strftime text in New York local time (TZ below). Prices: a deterministic
        // walk with cents; derived columns filled like the legacy's.
        let insert = """
            WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < \(rows - 1))
            INSERT INTO price_log SELECT
                strftime('%Y-%m-%dT%H:%M:%S', \(start) + i, 'unixepoch', 'localtime'),
                round(60000 + (i % 864000) / 100.0 + ((i * 7919) % 2003) / 100.0, 2),
                round(60000 + (i % 864000) / 100.0, 2),
                ((i * 31) % 1000) / 1000.0, ((i * 37) % 100) / 10.0, ((i * 41) % 100) / 10.0, ((i * 43) % 100) / 10.0,
                ((i * 47) % 100) / 10.0, ((i * 53) % 100) / 10.0, ((i * 59) % 100) / 10.0
            FROM seq;
            """
        var env = ProcessInfo.processInfo.environment
        env["TZ"] = "America/New_York"
        try runTool("/usr/bin/sqlite3", [part, "PRAGMA journal_mode=WAL;", create + ";", insert, "PRAGMA wal_checkpoint(TRUNCATE);"], environment: env, quiet: true)
        try FileManager.default.moveItem(atPath: part, toPath: path)
    }
}

/// Prints a line unbuffered, so each step's line appears as it finishes, also into a file.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
func fmt(_ d: Double) -> String { String(format: "%.3f", d) }

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "?"
}

/// User + system CPU seconds of this process so far.
func processCPUSeconds() -> Double {
    (try? ProcStats.cpuSeconds(getpid())) ?? 0
}

/// The server's postmaster (when it runs on this machine and its data directory is readable).
func postmasterPID(_ connection: PostgresConnection) async throws -> Int32? {
    guard let directory = try? await connection.query("SHOW data_directory").scalar,
          let text = try? String(contentsOfFile: directory + "/postmaster.pid", encoding: .utf8) else { return nil }
    return text.split(separator: "\n").first.flatMap { Int32($0) }
}

/// CPU seconds of the postmaster's children (its backends).
func childrenCPUSeconds(_ pid: Int32) -> Double? {
    try? ProcStats.childrenCPUSeconds(pid)
}

func time(_ body: () throws -> Void) throws -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func timeAsync(_ body: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func runTool(_ tool: String, _ arguments: [String], environment: [String: String]? = nil, quiet: Bool = false) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = arguments
    if let environment { p.environment = environment }
    if quiet { p.standardOutput = FileHandle.nullDevice }
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw ValidationError("\(tool) exited with \(p.terminationStatus)") }
}
