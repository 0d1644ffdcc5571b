import ArgumentParser
import BenchmarkSupport
import FixtureServers
import Foundation
import Logging
import PriceFeed
import StorageKit

/// Runs the real release `btc-price-watchdog` (the binary next to this one) against a fixture
/// Coinbase websocket streaming 1,000 ticker messages/s, writing SQLite (primary) + PostgreSQL,
/// and reports the daemon's CPU time per second of feed, its peak RSS, and tick-to-durable latency.
///
///     swift build -c release --product btc-price-watchdog --product btc-watchdog-benchmark
///     .build/release/btc-watchdog-benchmark --seconds 60
///
/// Tick-to-durable latency of second `s`: the commit time of its `price_history` row minus the end
/// of that second (`s + 1 s`: the last tick of a second cannot be recorded before the second ends).
/// The commit time is the server's commit timestamp of the row's transaction when the server keeps
/// them (`track_commit_timestamp = on`; `scripts/pg-sandbox` starts it so), read once after the
/// run, so nothing polls beside the daemon. Without them, a separate connection polls
/// `SELECT max(ts)` every 2 ms and a second's commit time is the poll that first sees it (seconds
/// seen together get the same time; resolution: 2 ms plus one round trip). PostgreSQL is the one
/// the PG* variables name.
struct BTCWatchdogBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "btc-watchdog-benchmark")

    @Option(help: "Seconds of feed to measure (after warm-up).") var seconds = 60
    @Option(help: "Seconds of warm-up before measuring.") var warmup = 5
    @Option(help: "Ticker message interval in microseconds (1000 = 1,000 messages/s).") var intervalMicros = 1_000
    @Option(help: "Path of the btc-price-watchdog executable (default: next to this benchmark).") var daemon: String?
    @Option(name: .customLong("env"), help: "KEY=VALUE added to the daemon's environment (repeatable), e.g. MALLOC_ARENA_MAX=2.")
    var environment: [String] = []
    @Option(help: "Command run with the daemon's pid appended at the end of the measured feed, before the daemon stops (e.g. scripts/rss-breakdown).")
    var probe: String?
    @Option(help: "Ticker messages decoded in the in-process decode comparison (0 skips it).") var decodeMessages = 100_000
    @Option(help: "The daemon's read_interval_milliseconds option (default: not set, the daemon's default; daemons older than the option reject it).")
    var readIntervalMs: Int?

    func execute() async throws {
        var logger = Logger(label: "btc-watchdog-benchmark")
        logger.logLevel = .error
        let executable = daemon ?? DaemonUnderTest.siblingExecutable("btc-price-watchdog")
        let extraEnvironment = try DaemonUnderTest.environment(environment)
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

        var options: [String: Any] = [
            "websocket_url": server.webSocketURL, "coinbase_spot_url": server.httpBaseURL,
            "kraken_url": server.httpBaseURL, "coinbase_exchange_url": server.httpBaseURL,
        ]
        if let readIntervalMs { options["read_interval_milliseconds"] = readIntervalMs }
        let configPath = try DaemonUnderTest.writeConfig(directory: dir, schema: schema.name, service: "btc_price_watchdog", settings: [
            "writers": ["sqlite", "postgres"], "primary": "sqlite", "sqlite_path": dir + "/btc_price_history.db", "options": options,
        ])
        let daemon = try DaemonUnderTest(executable: executable, configPath: configPath, directory: dir, environment: extraEnvironment)
        let pid = daemon.pid
        print("btc-watchdog-benchmark: \(1_000_000 / intervalMicros) ticker messages/s, \(seconds) s measured after \(warmup) s warm-up; daemon pid \(pid); schema \(schema.name)"
              + (readIntervalMs.map { "; read_interval_milliseconds \($0)" } ?? "")
              + (extraEnvironment.isEmpty ? "" : "; daemon environment " + extraEnvironment.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")))

        func maxSecond() async throws -> Int64? {
            let rows = try await conn.query("SELECT extract(epoch FROM max(ts))::bigint FROM \(schema.quoted).price_history")
            return rows.rows.first?.first.flatMap { $0 }.flatMap { Int64($0) }
        }

        // Commit times from the server's commit timestamps when it keeps them; else by polling.
        let commitTimestamps = try await conn.query("SHOW track_commit_timestamp").scalar == "on"
        print("tick-to-durable measured by " + (commitTimestamps
            ? "commit timestamps (track_commit_timestamp) of the price_history rows"
            : "a 2 ms poll of the newest price_history row (track_commit_timestamp is off)"))

        do {
            // Warm-up: until rows arrive, then `warmup` more seconds.
            try await daemon.waitUntil("price row") { try await maxSecond() != nil }
            try await Task.sleep(for: .seconds(warmup))

            let loadStart = Self.loadAverage()
            let cpuStart = try ProcStats.cpuSeconds(pid)
            let wallStart = Date()
            let first = try await maxSecond() ?? 0
            var bySecond: [(second: Int64, ms: Double)] = []
            if commitTimestamps {
                try await daemon.poll(for: TimeInterval(seconds), every: .milliseconds(500)) {}
                let rows = try await conn.query("""
                    SELECT extract(epoch FROM ts)::bigint::text, extract(epoch FROM pg_xact_commit_timestamp(xmin))::text
                    FROM \(schema.quoted).price_history
                    WHERE ts > to_timestamp(\(first)) AND ts < to_timestamp(\(Int64(Date().timeIntervalSince1970) - 1)) ORDER BY ts
                    """).rows
                for row in rows {
                    guard let s = row[0].flatMap({ Int64($0) }), let committed = row[1].flatMap({ Double($0) }) else { continue }
                    bySecond.append((s, (committed - Double(s + 1)) * 1000))
                }
            } else {
                var last = first
                try await daemon.poll(for: TimeInterval(seconds), every: .milliseconds(2)) {
                    if let m = try await maxSecond(), m > last {
                        let observed = Date().timeIntervalSince1970
                        for s in (last + 1)...m { bySecond.append((s, (observed - Double(s + 1)) * 1000)) }
                        last = m
                    }
                }
            }
            var latencies = bySecond.map(\.ms)
            let wall = Date().timeIntervalSince(wallStart)
            let cpu = try ProcStats.cpuSeconds(pid) - cpuStart
            let status = try ProcStats.status(pid)
            let threads = ProcStats.threadNames(pid)
            try daemon.probe(probe)
            let (exitStatus, peakWithShutdown) = daemon.stopReadingPeak()
            let rowCount = try await conn.query("SELECT count(*) FROM \(schema.quoted).price_history").rows.first?.first.flatMap { $0 } ?? "?"

            latencies.sort()
            let mib = { (key: String) in String(format: "%.1f MiB", Double(status[key] ?? 0) / 1024) }
            var table = ResultTable()
            table.add("feed", String(format: "%.1f s", wall))
            table.add("load average (1/5/15 min) at start → end", "\(loadStart) → \(Self.loadAverage())")
            table.add("daemon CPU (user+sys) per second of feed", String(format: "%.1f ms (%.2f %%)", cpu / wall * 1000, cpu / wall * 100), "≤ 2 % of a core")
            table.add("peak RSS (VmHWM)", mib("VmHWM"), "≤ 20 MB")
            table.add("  with the shutdown (VmHWM read until exit)", String(format: "%.1f MiB", Double(peakWithShutdown) / 1024), "≤ 20 MB")
            table.add("RSS at end (VmRSS)", mib("VmRSS"))
            table.add("  of which anonymous / file-backed", "\(mib("RssAnon")) / \(mib("RssFile"))")
            table.add("threads", "\(threads.count)")
            table.add("seconds observed", "\(latencies.count)")
            table.add("tick-to-durable p50", String(format: "%.1f ms", percentile(latencies, 0.50)))
            table.add("tick-to-durable p99", String(format: "%.1f ms", percentile(latencies, 0.99)), "≤ 20 ms")
            table.add("tick-to-durable max", String(format: "%.1f ms", latencies.last ?? .nan))
            // Where the tail is: the slowest seconds, by their offset from the first measured second.
            let firstSecond = first + 1
            let slowest = bySecond.sorted { $0.ms > $1.ms }.prefix(3).map { String(format: "+%d s: %.1f", $0.second - firstSecond, $0.ms) }
            table.add("  slowest seconds (offset from \(firstSecond): ms)", slowest.joined(separator: ", "))
            table.add("price_history rows (whole run)", rowCount)
            table.add("daemon exit status", "\(exitStatus)", "0")
            if decodeMessages > 0 {
                let (decode, general, baseline) = try Self.decodeCost(messages: decodeMessages)
                table.add("decode µs/message (CoinbaseMessage, frame bytes)", String(format: "%.2f", decode))
                table.add("  general decoder (OrderedJSON tree)", String(format: "%.2f (ratio %.1f×)", general, general / decode))
                table.add("  baseline: JSONSerialization parse only", String(format: "%.2f (ratio %.1f×)", baseline, baseline / decode))
            }
            table.print()
            print("daemon threads: " + Dictionary(grouping: threads, by: { $0 }).map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", "))
        } catch {
            daemon.killIfRunning()
            _ = try? await conn.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
            await conn.close()
            await server.shutdown()
            throw error
        }
        _ = try? await conn.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
        await conn.close()
        await server.shutdown()
    }

    /// The machine's load averages (`/proc/loadavg`), for reading the figures of a shared machine.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// Microseconds per message to decode the fixture's ticker messages as the feed does (from the
    /// frame's bytes, through the ticker fast path), with the general decoder alone, and, as the
    /// raw baseline in the same run, to merely parse them with `JSONSerialization`.
    static func decodeCost(messages: Int) throws -> (decode: Double, general: Double, baseline: Double) {
        let texts = (0..<1_000).map { i in
            CoinbasePayloads.ticker(price: "64\(100 + i % 900).12000000", tradeId: 43_736_677 + Int64(i), sequence: 5_928_281_348 + Int64(i),
                                    time: "2026-11-25T18:30:11.\(100_000 + i)Z")
        }
        let frames = texts.map { Array($0.utf8) }
        var sink = 0
        let clock = ContinuousClock()
        let decode = try clock.measure {
            for i in 0..<messages {
                let message = try frames[i % frames.count].withUnsafeBytes { try CoinbaseMessage.decode(utf8: $0) }
                if case .ticker(let t) = message { sink &+= Int(t.tradeId) }
            }
        }
        let general = try clock.measure {
            for i in 0..<messages {
                if case .ticker(let t) = try CoinbaseMessage.decodeGeneral(utf8: frames[i % frames.count]) { sink &+= Int(t.tradeId) }
            }
        }
        let baseline = try clock.measure {
            for i in 0..<messages {
                let object = try JSONSerialization.jsonObject(with: Data(texts[i % texts.count].utf8)) as? [String: Any]
                sink &+= object?.count ?? 0
            }
        }
        guard sink != 0 else { throw ValidationError("nothing decoded") }
        let micros = { (d: Duration) in Double(d / .nanoseconds(1)) / 1000 / Double(messages) }
        return (micros(decode), micros(general), micros(baseline))
    }
}

// main.swift cannot use @main: parse, then run the async body.
do {
    try await BTCWatchdogBenchmark.parse().execute()
} catch {
    BTCWatchdogBenchmark.exit(withError: error)
}
