import ArgumentParser
import BenchmarkSupport
import Foundation
import Logging
import StorageKit

/// Writes N price ticks through each writer and, in the same run, times the raw baselines on the
/// same rows: `psql \copy` into the same PostgreSQL table shape and `sqlite3 .import` into a fresh
/// file with the legacy schema. Prints rows/s and writer/baseline ratios.
///
///     swift run -c release writer-benchmark --rows 1000000
///
/// PostgreSQL is the one the PG* variables name (scripts/pg-sandbox starts one).
@main
struct WriterBenchmark: AsyncParsableCommand {
    @Option(help: "Rows to write.") var rows = 1_000_000
    @Option(help: "Rows per write call.") var batch = 100_000
    @Option(help: "Scratch folder (default: a new temporary folder).") var scratch: String?
    @Option(help: "Writers to time, comma-separated: postgres, sqlite, fanout, json (baselines are always timed).")
    var writers = "postgres,sqlite,fanout,json"

    func run() async throws {
        var logger = Logger(label: "writer-benchmark")
        logger.logLevel = .error
        let dir = scratch ?? (NSTemporaryDirectory() + "writer-benchmark-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if scratch == nil { try? FileManager.default.removeItem(atPath: dir) } }

        // Recent seconds (inside the legacy 30-day trim), a realistic random-walk price.
        let start = Int64(Date().timeIntervalSince1970) - Int64(rows) - 60
        var cents: Int64 = 6_400_000
        var rng = SystemRandomNumberGenerator()
        let ticks: [PriceTick] = (0..<rows).map { i in
            cents += Int64.random(in: -50...50, using: &rng)
            return PriceTick(second: start + Int64(i), price: USDCents(cents: cents), source: .coinbaseWebSocket)
        }
        let batches = stride(from: 0, to: rows, by: batch).map { Array(ticks[$0..<min($0 + batch, rows)]) }
        let end = start + Int64(rows)
        let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: TimeInterval(end)) }
        print("writer-benchmark: \(rows) rows in batches of \(batch); \(ProcessInfo.processInfo.activeProcessorCount) cores; \(dir)")

        var results: [(String, Double, Double?, String, Double, Double?)] = []
        var writerAlone: [String: (Double, Double)] = [:]  // "postgres"/"sqlite" -> that writer's time, this run
        let selected = Set(writers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })

        // Baseline files, in each tool's input format.
        let copyFile = dir + "/ticks.copy"
        var copyText = ""
        copyText.reserveCapacity(rows * 48)
        let mapping = PriceTick.postgres!
        for t in ticks { copyText += mapping.encode(t).map { $0 ?? "\\N" }.joined(separator: "\t") + "\n" }
        try copyText.write(toFile: copyFile, atomically: false, encoding: .utf8)
        let csvFile = dir + "/ticks.csv"
        var csv = ""
        csv.reserveCapacity(rows * 40)
        let sqliteRows = try LegacyPriceLog.bindRowsForBenchmark(ticks)
        for row in sqliteRows {
            csv += row.map { v -> String in
                switch v { case .text(let s): return s; case .real(let d): return String(d); case .integer(let i): return String(i); case .null: return "" }
            }.joined(separator: ",") + "\n"
        }
        try csv.write(toFile: csvFile, atomically: false, encoding: .utf8)

        // PostgreSQL: \copy baseline, then PostgresWriter, each into a freshly migrated schema.
        let connection = PostgresConnection(configuration: PostgresConfiguration(applicationName: "writer-benchmark"), logger: logger)
        func freshSchema(_ name: String) async throws -> PostgresIdentifier {
            let schema = try PostgresIdentifier(name)
            try await connection.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
            try await SchemaMigrator(schema: schema, logger: logger).migrate(on: connection)
            let months = Set(ticks.map { PartitionMonth(epochSeconds: $0.second) })
            try await connection.ensureMonthlyPartitions(schema: schema, table: "price_history", months: months.sorted())
            return schema
        }
        let rawSchema = try await freshSchema("bench_raw")
        let (copySeconds, _) = try time {
            try runTool("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "\\copy \(rawSchema.quoted).price_history (ts, price, source) FROM '\(copyFile)'"])
        }
        if selected.contains("postgres") {
            let pgSchema = try await freshSchema("bench_writer")
            let pgWriter = try PostgresWriter<PriceTick>(configuration: PostgresConfiguration(applicationName: "writer-benchmark"), schema: pgSchema, logger: logger)
            let (pgSeconds, pgCPU) = try await timeAsync {
                for b in batches { try await pgWriter.write(b) }
                try await pgWriter.flush()
            }
            try await pgWriter.close()
            results.append(("PostgresWriter", pgSeconds, pgCPU, "psql \\copy", copySeconds, nil))
            writerAlone["postgres"] = (pgSeconds, pgCPU)
        }

        // SQLite: .import baseline into a fresh legacy file, then SQLiteWriter (WAL, synchronous=FULL).
        let importFile = dir + "/import.db"
        let create = PriceTick.sqlite!.createSQL
        let (importSeconds, importCPU) = try time {
            try runTool("/usr/bin/sqlite3", [importFile, create, ".mode csv", ".import \(csvFile) price_log"])
        }
        if selected.contains("sqlite") {
            let sqlitePath = dir + "/writer.db"
            let sqliteWriter = try SQLiteWriter<PriceTick>(path: sqlitePath, clock: clock, logger: logger)
            let (sqliteSeconds, sqliteCPU) = try await timeAsync {
                for b in batches { try await sqliteWriter.write(b) }
                try await sqliteWriter.flush()
            }
            try await sqliteWriter.close()
            results.append(("SQLiteWriter", sqliteSeconds, sqliteCPU, "sqlite3 .import", importSeconds, importCPU))
            writerAlone["sqlite"] = (sqliteSeconds, sqliteCPU)
        }

        // Fan-out: SQLite primary + PostgreSQL shadow. Two figures: until the last `write` returned
        // (what the daemon waits for: the primary, while the shadow drains beside it), and until the
        // shadow has caught up (the sustained rate of both stores together). Each is read against
        // the slower sink's raw baseline and, when it was timed in this run, that sink's writer alone.
        let slowerSink = max(copySeconds, importSeconds)
        let slowerSinkName = importSeconds >= copySeconds ? "sqlite" : "postgres"
        let slowerRaw = importSeconds >= copySeconds ? "sqlite3 .import" : "psql \\copy"
        let slowerWriter = importSeconds >= copySeconds ? "SQLiteWriter alone" : "PostgresWriter alone"
        if selected.contains("fanout") {
            let fanSchema = try await freshSchema("bench_fanout")
            let fan = FanOutWriter(
                primary: try SQLiteWriter<PriceTick>(path: dir + "/fanout.db", clock: clock, logger: logger),
                shadows: [try PostgresWriter<PriceTick>(configuration: PostgresConfiguration(applicationName: "writer-benchmark"), schema: fanSchema, logger: logger)],
                flushTimeout: .seconds(600), logger: logger)
            let fanStart = ContinuousClock.now
            let fanCPUStart = try ProcStats.cpuSeconds(getpid())
            for b in batches { try await fan.write(b) }
            let fanWriteSeconds = seconds(ContinuousClock.now - fanStart)
            let fanWriteCPU = try ProcStats.cpuSeconds(getpid()) - fanCPUStart
            try await fan.flush()
            let fanSeconds = seconds(ContinuousClock.now - fanStart)
            let fanCPU = try ProcStats.cpuSeconds(getpid()) - fanCPUStart
            let fanBacklog = await fan.status().backlog
            try await fan.close()
            guard fanBacklog == 0 else { throw ValidationError("the fan-out's shadow did not catch up (backlog \(fanBacklog))") }
            let slowerRawCPU = importSeconds >= copySeconds ? importCPU : nil
            results.append(("FanOut writes returned", fanWriteSeconds, fanWriteCPU, slowerRaw, slowerSink, slowerRawCPU))
            results.append(("FanOut shadow caught up", fanSeconds, fanCPU, slowerRaw, slowerSink, slowerRawCPU))
            if let (alone, aloneCPU) = writerAlone[slowerSinkName] {
                results.append(("FanOut writes returned", fanWriteSeconds, fanWriteCPU, slowerWriter, alone, aloneCPU))
                results.append(("FanOut shadow caught up", fanSeconds, fanCPU, slowerWriter, alone, aloneCPU))
            }
            print("fan-out phases: writes returned after \(fmt(fanWriteSeconds)) s, shadow caught up \(fmt(fanSeconds - fanWriteSeconds)) s later")
        }

        // JSON archive: no raw baseline of the same format; rows/s only.
        var jsonSeconds: Double?
        if selected.contains("json") {
            let jsonWriter = try JSONWriter<PriceTick>(options: .init(directory: dir + "/json", archive: true), logger: logger)
            try FileManager.default.createDirectory(atPath: dir + "/json", withIntermediateDirectories: true)
            jsonSeconds = try await timeAsync {
                for b in batches { try await jsonWriter.write(b) }
                try await jsonWriter.flush()
            }.seconds
            try await jsonWriter.close()
        }

        for name in ["bench_raw", "bench_writer", "bench_fanout"] {
            try await connection.execute("DROP SCHEMA IF EXISTS \(try PostgresIdentifier(name).quoted) CASCADE")
        }
        await connection.close()

        // CPU: user + system seconds of this process during the writer's phase (all its threads; a
        // PostgreSQL writer's server backend is not included) and of the baseline's tool process
        // (`sqlite3`; `psql \copy` leaves the work to the server, so no figure). On a busy machine
        // the wall-clock times swing with the load; the CPU seconds much less.
        print("")
        print("load average: \(ProcStats.loadAverage())")
        print(pad("writer", 26) + pad("seconds", 10) + pad("rows/s", 12) + pad("cpu s", 8) + pad("baseline", 22) + pad("baseline s", 12)
              + pad("cpu s", 8) + "ratio (baseline time / writer time)")
        for (name, seconds, cpu, baseline, baseSeconds, baseCPU) in results {
            print(pad(name, 26) + pad(fmt(seconds), 10) + pad(String(Int(Double(rows) / seconds)), 12) + pad(cpu.map(fmt) ?? "-", 8)
                  + pad(baseline, 22) + pad(fmt(baseSeconds), 12) + pad(baseCPU.map(fmt) ?? "-", 8) + fmt(baseSeconds / seconds) + "×")
        }
        if let jsonSeconds {
            print(pad("JSONWriter (archive)", 26) + pad(fmt(jsonSeconds), 10) + pad(String(Int(Double(rows) / jsonSeconds)), 12) + "-")
        }
    }
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
func fmt(_ d: Double) -> String { String(format: "%.3f", d) }

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Wall-clock seconds of `body`, and the CPU seconds of the tool processes it ran and waited for.
func time(_ body: () throws -> Void) throws -> (seconds: Double, childCPU: Double) {
    let start = ContinuousClock.now
    let cpuStart = try ProcStats.childrenCPUSeconds(getpid())
    try body()
    return (seconds(ContinuousClock.now - start), try ProcStats.childrenCPUSeconds(getpid()) - cpuStart)
}

/// Wall-clock seconds of `body`, and this process's CPU seconds meanwhile.
func timeAsync(_ body: () async throws -> Void) async throws -> (seconds: Double, cpu: Double) {
    let start = ContinuousClock.now
    let cpuStart = try ProcStats.cpuSeconds(getpid())
    try await body()
    return (seconds(ContinuousClock.now - start), try ProcStats.cpuSeconds(getpid()) - cpuStart)
}

func runTool(_ tool: String, _ arguments: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = arguments
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw ValidationError("\(tool) exited with \(p.terminationStatus)") }
}
