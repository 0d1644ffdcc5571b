import ArgumentParser
import FixtureServers
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import StorageKit

/// Runs the real release `kalshi-historical-ingest --once` (the binary next to this one) against a
/// fixture Kalshi server serving `markets` settled markets of KXBTCD, each with
/// `minutes-per-market` 1-minute candlesticks (plus the 60-minute ones) and `trades-per-market`
/// trades — 1,016,000 candlesticks and 1,000,000 trades by default, half of them on the
/// historical endpoints — into an empty PostgreSQL schema. Then, in the same run, it exports the
/// same rows with `psql \copy ... TO` and times a raw `psql \copy ... FROM` of them into another
/// empty schema (same tables, same keys). The ratio is ingest rows/s over raw \copy rows/s, HTTP
/// serving and JSON parsing included on the ingest side (the fixture server runs in this process).
/// It also reports the CPU seconds the daemon and the fixture server (this process) used during
/// the ingest, and the load average, since on a shared machine they compete for the same cores.
///
///     swift build -c release --product kalshi-historical-ingest --product kalshi-ingest-benchmark
///     .build/release/kalshi-ingest-benchmark
///
/// PostgreSQL is the one the PG* variables name; `psql` must be on PATH.
struct KalshiIngestBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kalshi-ingest-benchmark")

    @Option(help: "Settled markets served.") var markets = 1000
    @Option(help: "Minutes each market lived (1-minute candlesticks per market).") var minutesPerMarket = 1000
    @Option(help: "Trades per market.") var tradesPerMarket = 1000
    @Option(help: "Per-market streams worked on at once (market_concurrency).") var concurrency = 4
    @Option(help: "Items per page.") var pageLimit = 1000
    @Option(help: "Path of the kalshi-historical-ingest executable (default: next to this benchmark).") var daemon: String?
    @Flag(help: "Keep the two schemas (default: dropped).") var keep = false

    func execute() async throws {
        var logger = Logger(label: "kalshi-ingest-benchmark")
        logger.logLevel = .error
        let executable = daemon ?? siblingExecutable("kalshi-historical-ingest")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationError("\(executable) not found; build it: swift build -c release --product kalshi-historical-ingest")
        }
        let dir = NSTemporaryDirectory() + "kalshi-ingest-benchmark-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let firstClose: Int64 = 1_754_683_200
        let dataset = KalshiHistoryDataset(markets: markets, firstClose: firstClose, marketLifeSeconds: Int64(minutesPerMarket) * 60,
                                           tradesPerMarket: tradesPerMarket, fills: 0, settlements: 0, positions: 0,
                                           tradesCutoff: firstClose + Int64(markets / 2) * 3600)
        let server = try await FixtureServer.start(logger: logger)
        server.setRecordsRequests(false)
        KalshiHistoryFixture(dataset: dataset, verifier: nil).install(on: server)

        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let ingestSchema = try PostgresIdentifier("bench_ingest_" + suffix)
        let copySchema = try PostgresIdentifier("bench_copy_" + suffix)
        let conn = PostgresConnection(configuration: PostgresConfiguration(connectionString: "", applicationName: "kalshi-ingest-benchmark"), logger: logger)
        try await SchemaMigrator(schema: ingestSchema, logger: logger).migrate(on: conn)
        try await SchemaMigrator(schema: copySchema, logger: logger).migrate(on: conn)

        let configPath = dir + "/services.json"
        let options: [String: Any] = [
            "base_url": server.httpBaseURL + "/trade-api/v2", "series": [dataset.series], "start_date": "2025-01-01",
            "page_limit": pageLimit, "account": false, "reads_per_second": 100_000, "market_concurrency": concurrency,
            "request_timeout_ms": 60_000,
        ]
        let document: [String: Any] = [
            "postgres": ["conninfo": "", "schema": ingestSchema.name],
            "services": [
                "btc_price_watchdog": ["writers": ["postgres"], "primary": "postgres"] as [String: Any],
                "kalshi_api_watchdog": ["writers": ["postgres"], "primary": "postgres"] as [String: Any],
                "kalshi_historical_ingest": ["writers": ["postgres"], "primary": "postgres", "options": options] as [String: Any],
                "live_data_analysis": ["writers": ["postgres"], "primary": "postgres", "reader": "postgres"] as [String: Any],
            ] as [String: Any],
        ]
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: configPath))

        print("dataset: \(markets) markets, \(dataset.totalCandlesticks) candlesticks, \(dataset.totalTrades) trades")
        print("load average before: \(loadAverage())")
        let (selfBefore, childBefore) = (cpuSeconds(RUSAGE_SELF.rawValue), cpuSeconds(RUSAGE_CHILDREN.rawValue))
        let ingestStart = ContinuousClock.now
        let status = try runProcess(executable, ["--config", configPath, "--once"], environment: ["RECIO_LOG_LEVEL": "error"])
        let ingestTime = ContinuousClock.now - ingestStart
        let (fixtureCPU, daemonCPU) = (cpuSeconds(RUSAGE_SELF.rawValue) - selfBefore, cpuSeconds(RUSAGE_CHILDREN.rawValue) - childBefore)
        guard status == 0 else { throw ValidationError("kalshi-historical-ingest --once exited \(status)") }

        let tables = ["kalshi_candlesticks", "kalshi_trades"]
        var rows = 0
        for table in tables {
            let count = try await conn.query("SELECT count(*) FROM \(ingestSchema.quoted).\(table)")
            rows += Int(count.rows.first?.first.flatMap { $0 } ?? "0") ?? 0
        }
        guard rows == dataset.totalCandlesticks + dataset.totalTrades else {
            throw ValidationError("ingested \(rows) rows, expected \(dataset.totalCandlesticks + dataset.totalTrades)")
        }

        // The same rows, exported, then loaded by raw \copy into the empty twin tables.
        for table in tables {
            _ = try runProcess("/usr/bin/env", ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                                "\\copy \(ingestSchema.quoted).\(table) TO '\(dir)/\(table).tsv'"])
        }
        let copyStart = ContinuousClock.now
        for table in tables {
            let status = try runProcess("/usr/bin/env", ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                                         "\\copy \(copySchema.quoted).\(table) FROM '\(dir)/\(table).tsv'"])
            guard status == 0 else { throw ValidationError("psql \\copy into \(table) exited \(status)") }
        }
        let copyTime = ContinuousClock.now - copyStart

        let ingestRate = Double(rows) / seconds(ingestTime)
        let copyRate = Double(rows) / seconds(copyTime)
        print("""
            | what | rows | seconds | rows/s |
            | --- | ---: | ---: | ---: |
            | kalshi-historical-ingest --once (HTTP + JSON + COPY, concurrency \(concurrency), page \(pageLimit)) | \(rows) | \(String(format: "%.1f", seconds(ingestTime))) | \(Int(ingestRate)) |
            | raw psql \\copy of the same rows | \(rows) | \(String(format: "%.1f", seconds(copyTime))) | \(Int(copyRate)) |
            ratio ingest / raw \\copy: \(String(format: "%.2f", ingestRate / copyRate))× (target ≥ 0.5×)
            CPU during the ingest: daemon \(String(format: "%.1f", daemonCPU)) s, fixture server (this process) \(String(format: "%.1f", fixtureCPU)) s
            load average after: \(loadAverage())
            """)
        if !keep {
            _ = try? await conn.execute("DROP SCHEMA \(ingestSchema.quoted) CASCADE")
            _ = try? await conn.execute("DROP SCHEMA \(copySchema.quoted) CASCADE")
        }
        await conn.close()
        await server.shutdown()
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// User + system CPU seconds of this process (`RUSAGE_SELF`) or of its waited-for children.
func cpuSeconds(_ who: Int32) -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(who), &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

/// `/proc/loadavg`'s three averages.
func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// Runs a process to its end and returns its exit status.
func runProcess(_ path: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in extra { env[k] = v }
    process.environment = env
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// The executable `name` in the folder of this benchmark's own executable.
func siblingExecutable(_ name: String) -> String {
    let me = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    return me.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name).path
}

// main.swift cannot use @main: parse, then run the async body.
do {
    try await KalshiIngestBenchmark.parse().execute()
} catch {
    KalshiIngestBenchmark.exit(withError: error)
}
