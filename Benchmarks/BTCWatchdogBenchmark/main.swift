import ArgumentParser
import FixtureServers
import Foundation
import Logging
import StorageKit

/// Runs the real release `btc-price-watchdog` (the binary next to this one) against a fixture
/// Coinbase websocket streaming 1,000 ticker messages/s, writing SQLite (primary) + PostgreSQL,
/// and reports the daemon's CPU time per second of feed, its peak RSS, and tick-to-durable latency.
///
///     swift build -c release --product btc-price-watchdog --product btc-watchdog-benchmark
///     .build/release/btc-watchdog-benchmark --seconds 60
///
/// Tick-to-durable latency: a separate connection polls `SELECT max(ts) FROM <schema>.price_history`
/// every 2 ms; the first time a second `s` is visible (committed), the latency is
/// `observed wall time − (s + 1 s)`, i.e. measured from the end of the second the row describes
/// (the last tick of a second cannot be recorded before the second ends). Seconds that become
/// visible together in one poll all get that poll's time. Resolution: the 2 ms poll interval plus
/// one query round trip. PostgreSQL is the one the PG* variables name.
struct BTCWatchdogBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "btc-watchdog-benchmark")

    @Option(help: "Seconds of feed to measure (after warm-up).") var seconds = 60
    @Option(help: "Seconds of warm-up before measuring.") var warmup = 5
    @Option(help: "Ticker message interval in microseconds (1000 = 1,000 messages/s).") var intervalMicros = 1_000
    @Option(help: "Path of the btc-price-watchdog executable (default: next to this benchmark).") var daemon: String?

    func execute() async throws {
        var logger = Logger(label: "btc-watchdog-benchmark")
        logger.logLevel = .error
        let executable = daemon ?? siblingExecutable("btc-price-watchdog")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationError("\(executable) not found; build it: swift build -c release --product btc-price-watchdog")
        }
        let dir = NSTemporaryDirectory() + "btc-watchdog-benchmark-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // A slow random walk around 64,000 (small steps, so the sanity check accepts every tick).
        var cents = 6_400_000
        let prices: [String] = (0..<10_000).map { _ in
            cents += Int.random(in: -3...3)
            return "\(cents / 100)." + (cents % 100 < 10 ? "0" : "") + "\(cents % 100)000000"
        }
        let server = try await FixtureServer.start(script: TickerScript(prices: prices, interval: .microseconds(intervalMicros)), logger: logger)
        server.setRoute(HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot"), .json(CoinbasePayloads.spot(amount: "64000.00")))
        server.setRoute(HTTPFixtureRoute("GET", "/0/public/Ticker"), .json(CoinbasePayloads.krakenTicker(last: "64000.00000")))
        server.setRoute(HTTPFixtureRoute("GET", "/0/public/OHLC"), .json(CoinbasePayloads.krakenOHLC(closes: Array(repeating: "64000.00000", count: 25))))
        server.setRoute(HTTPFixtureRoute("GET", "/products/BTC-USD/trades"), .json(CoinbasePayloads.tradesPage([])))

        let schema = try PostgresIdentifier("bench_btc_" + String(UInt32.random(in: 0...UInt32.max), radix: 16))
        let pgConfig = PostgresConfiguration(connectionString: "", applicationName: "btc-watchdog-benchmark")
        let conn = PostgresConnection(configuration: pgConfig, logger: logger)
        try await SchemaMigrator(schema: schema, logger: logger).migrate(on: conn)

        let options: [String: Any] = [
            "websocket_url": server.webSocketURL, "coinbase_spot_url": server.httpBaseURL,
            "kraken_url": server.httpBaseURL, "coinbase_exchange_url": server.httpBaseURL,
        ]
        let document: [String: Any] = [
            "postgres": ["conninfo": "", "schema": schema.name],
            "services": [
                "btc_price_watchdog": ["writers": ["sqlite", "postgres"], "primary": "sqlite",
                                       "sqlite_path": dir + "/btc_price_history.db", "options": options] as [String: Any],
                "kalshi_api_watchdog": ["writers": ["postgres"], "primary": "postgres"] as [String: Any],
                "kalshi_historical_ingest": ["writers": ["postgres"], "primary": "postgres"] as [String: Any],
                "live_data_analysis": ["writers": ["postgres"], "primary": "postgres", "reader": "postgres"] as [String: Any],
            ] as [String: Any],
        ]
        let configPath = dir + "/services.json"
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]).write(to: URL(fileURLWithPath: configPath))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--config", configPath]
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "RECIO_CONFIG"] { environment[key] = nil }
        environment["RECIO_LOG_LEVEL"] = "warning"
        process.environment = environment
        let logPath = dir + "/daemon.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        let pid = process.processIdentifier
        print("btc-watchdog-benchmark: \(1_000_000 / intervalMicros) ticker messages/s, \(seconds) s measured after \(warmup) s warm-up; daemon pid \(pid); schema \(schema.name)")

        func maxSecond() async throws -> Int64? {
            let rows = try await conn.query("SELECT extract(epoch FROM max(ts))::bigint FROM \(schema.quoted).price_history")
            return rows.rows.first?.first.flatMap { $0 }.flatMap { Int64($0) }
        }

        do {
            // Warm-up: until rows arrive, then `warmup` more seconds.
            let startDeadline = Date().addingTimeInterval(30)
            while try await maxSecond() == nil {
                guard Date() < startDeadline, process.isRunning else { throw ValidationError("the daemon wrote no row in 30 s; log: \(logPath)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .seconds(warmup))

            let cpuStart = try ProcStats.cpuSeconds(pid)
            let wallStart = Date()
            var last = try await maxSecond() ?? 0
            var latencies: [Double] = []
            let end = wallStart.addingTimeInterval(TimeInterval(seconds))
            while Date() < end {
                guard process.isRunning else { throw ValidationError("the daemon exited (\(process.terminationStatus)); log: \(logPath)") }
                if let m = try await maxSecond(), m > last {
                    let observed = Date().timeIntervalSince1970
                    for s in (last + 1)...m { latencies.append((observed - Double(s + 1)) * 1000) }
                    last = m
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            let wall = Date().timeIntervalSince(wallStart)
            let cpu = try ProcStats.cpuSeconds(pid) - cpuStart
            let status = try ProcStats.status(pid)
            let hwm = status["VmHWM"] ?? 0
            let rss = status["VmRSS"] ?? 0

            kill(pid, SIGTERM)
            process.waitUntilExit()
            let rowCount = try await conn.query("SELECT count(*) FROM \(schema.quoted).price_history").rows.first?.first.flatMap { $0 } ?? "?"

            latencies.sort()
            let cpuPercent = cpu / wall * 100
            print("")
            print("| metric                                   | value                | target       |")
            print("|------------------------------------------|----------------------|--------------|")
            print(row("feed", String(format: "%.1f s", wall), ""))
            print(row("daemon CPU (user+sys) per second of feed", String(format: "%.1f ms (%.2f %%)", cpu / wall * 1000, cpuPercent), "≤ 2 % of a core"))
            print(row("peak RSS (VmHWM)", String(format: "%.1f MiB", Double(hwm) / 1024), "≤ 20 MB"))
            print(row("RSS at end (VmRSS)", String(format: "%.1f MiB", Double(rss) / 1024), ""))
            print(row("seconds observed", "\(latencies.count)", ""))
            print(row("tick-to-durable p50", String(format: "%.1f ms", percentile(latencies, 0.50)), ""))
            print(row("tick-to-durable p99", String(format: "%.1f ms", percentile(latencies, 0.99)), "≤ 20 ms"))
            print(row("tick-to-durable max", String(format: "%.1f ms", latencies.last ?? .nan), ""))
            print(row("price_history rows (whole run)", rowCount, ""))
            print(row("daemon exit status", "\(process.terminationStatus)", "0"))
        } catch {
            if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() }
            _ = try? await conn.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
            await conn.close()
            await server.shutdown()
            throw error
        }
        _ = try? await conn.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
        await conn.close()
        await server.shutdown()
    }
}

func row(_ name: String, _ value: String, _ target: String) -> String {
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    return "| \(pad(name, 40)) | \(pad(value, 20)) | \(pad(target, 12)) |"
}

/// Nearest-rank percentile of sorted values.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}

/// The executable `name` in the folder of this benchmark's own executable.
func siblingExecutable(_ name: String) -> String {
    let me = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    return me.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name).path
}

/// Linux /proc readings of another process.
enum ProcStats {
    /// utime + stime of `pid`, in seconds.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = text.lastIndex(of: ")") else { throw ValidationError("unreadable /proc/\(pid)/stat") }
        // After "pid (comm)": field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { throw ValidationError("unreadable /proc/\(pid)/stat") }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The kB values of /proc/PID/status (`VmRSS`, `VmHWM`, ...).
    static func status(_ pid: Int32) throws -> [String: Int] {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let kb = Int(parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") else { continue }
            values[String(parts[0])] = kb
        }
        return values
    }
}

// main.swift cannot use @main: parse, then run the async body.
do {
    try await BTCWatchdogBenchmark.parse().execute()
} catch {
    BTCWatchdogBenchmark.exit(withError: error)
}
