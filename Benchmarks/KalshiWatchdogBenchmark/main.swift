import ArgumentParser
import BenchmarkSupport
import FixtureServers
import Foundation
import KalshiKit
import Logging
import StorageKit

/// Runs the real release `kalshi-api-watchdog` (the binary next to this one) polling a fixture
/// Kalshi server at 1 Hz for an event of 40 markets, writing JSON (latest snapshot + archive) and
/// PostgreSQL (primary), and reports poll-to-committed latency and the daemon's RSS over the run.
///
///     swift build -c release --product kalshi-api-watchdog --product kalshi-watchdog-benchmark
///     .build/release/kalshi-watchdog-benchmark --seconds 600
///
/// Poll-to-committed: the request time is when the fixture server received the request in full (its
/// event loop records the arrival); the commit time is, when the server runs with
/// `track_commit_timestamp = on` (scripts/pg-sandbox starts it so), the commit timestamp of the
/// transaction that stored the poll's rows, read after the run — nothing watches the daemon while it
/// runs, so the measurement takes no CPU from it on a small machine. Without commit timestamps it
/// falls back to a 2 ms poll of `SELECT max(ts), count(*)` for the newest capture (resolution: the
/// poll plus one query round trip, and 500 queries a second beside the daemon). Each committed poll is
/// paired with the latest request before it. PostgreSQL is the one the PG* variables name.
struct KalshiWatchdogBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kalshi-watchdog-benchmark")

    @Option(help: "Seconds to measure (after warm-up).") var seconds = 600
    @Option(help: "Seconds of warm-up before measuring.") var warmup = 5
    @Option(help: "Markets in the event.") var markets = 40
    @Option(help: "Path of the kalshi-api-watchdog executable (default: next to this benchmark).") var daemon: String?
    @Option(name: .customLong("env"), help: "KEY=VALUE added to the daemon's environment (repeatable), e.g. MALLOC_ARENA_MAX=2.")
    var environment: [String] = []
    @Option(help: "Command run with the daemon's pid appended at the end of the measured feed, before the daemon stops (e.g. scripts/rss-breakdown).")
    var probe: String?
    @Option(help: "Seconds between RSS readings.") var rssInterval = 10.0

    func execute() async throws {
        var logger = Logger(label: "kalshi-watchdog-benchmark")
        logger.logLevel = .error
        let executable = daemon ?? DaemonUnderTest.siblingExecutable("kalshi-api-watchdog")
        let extraEnvironment = try DaemonUnderTest.environment(environment)
        let dir = NSTemporaryDirectory() + "kalshi-watchdog-benchmark-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/json", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // The current event and the next ones, so a run across tops of the hour keeps polling.
        let server = try await FixtureServer.start(logger: logger)
        var event = EventTicker(series: "KXBTCD", at: Int64(Date().timeIntervalSince1970))
        for _ in 0..<(2 + seconds / 3600) {
            server.setRoute(HTTPFixtureRoute("GET", "/trade-api/v2/events/\(event)"), .json(KalshiPayload.eventResponse(event, markets: markets)))
            event = event.next
        }

        let schema = try PostgresIdentifier("bench_kalshi_" + String(UInt32.random(in: 0...UInt32.max), radix: 16))
        let conn = PostgresConnection(configuration: PostgresConfiguration(connectionString: "", applicationName: "kalshi-watchdog-benchmark"), logger: logger)
        try await SchemaMigrator(schema: schema, logger: logger).migrate(on: conn)

        let configPath = try DaemonUnderTest.writeConfig(directory: dir, schema: schema.name, service: "kalshi_api_watchdog", settings: [
            "writers": ["json", "postgres"], "primary": "postgres", "json_dir": dir + "/json", "json_archive": true,
            "options": ["base_url": server.httpBaseURL + "/trade-api/v2", "poll_interval_seconds": 1] as [String: Any],
        ])
        let daemon = try DaemonUnderTest(executable: executable, configPath: configPath, directory: dir, environment: extraEnvironment)
        let pid = daemon.pid
        print("kalshi-watchdog-benchmark: \(markets) markets at 1 Hz, \(seconds) s measured after \(warmup) s warm-up; daemon pid \(pid); schema \(schema.name)"
              + (extraEnvironment.isEmpty ? "" : "; daemon environment " + extraEnvironment.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")))

        // Commit times from the server's commit timestamps when it keeps them; else by polling.
        let commitTimestamps = try await conn.query("SHOW track_commit_timestamp").scalar == "on"
        print("poll-to-committed measured by " + (commitTimestamps
            ? "commit timestamps (track_commit_timestamp) against the fixture's request arrivals"
            : "a 2 ms poll of the newest capture against the fixture's request arrivals (track_commit_timestamp is off)"))

        /// The newest capture and how many of its rows are visible.
        func newest() async throws -> (String, Int)? {
            let rows = try await conn.query("""
                SELECT ts::text, count(*) FROM \(schema.quoted).market_snapshots
                WHERE ts = (SELECT max(ts) FROM \(schema.quoted).market_snapshots) GROUP BY ts
                """)
            guard let r = rows.rows.first, r.count == 2, let ts = r[0], let n = r[1].flatMap({ Int($0) }) else { return nil }
            return (ts, n)
        }

        do {
            try await daemon.waitUntil("market snapshot") { try await newest() != nil }
            try await Task.sleep(for: .seconds(warmup))

            var rss: [(Double, Int)] = []
            let wallStart = Date()
            rss.append((0, try ProcStats.status(pid, "VmRSS")))
            var lastTS = try await newest()?.0 ?? ""
            var latencies: [Double] = []
            var unmatched = 0
            var nextRSS = rssInterval
            try await daemon.poll(for: TimeInterval(seconds), every: .milliseconds(commitTimestamps ? 100 : 2)) {
                if !commitTimestamps, let latest = try await newest(), latest.0 != lastTS, latest.1 >= markets {
                    let observed = Date().timeIntervalSince1970
                    if let requested = Self.latest(server.requestArrivals.sorted(), before: observed) {
                        latencies.append((observed - requested) * 1000)
                    } else {
                        unmatched += 1
                    }
                    lastTS = latest.0
                }
                let elapsed = Date().timeIntervalSince(wallStart)
                if elapsed >= nextRSS {
                    rss.append((elapsed, try ProcStats.status(pid, "VmRSS")))
                    nextRSS += rssInterval
                }
            }
            let wall = Date().timeIntervalSince(wallStart)
            if commitTimestamps {
                // Each capture's commit time (its rows are one transaction), within the measured window.
                let (from, to) = (wallStart.timeIntervalSince1970, wallStart.timeIntervalSince1970 + wall)
                let commits = try await conn.query("""
                    SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin)))::text, count(*)::text
                    FROM \(schema.quoted).market_snapshots GROUP BY ts ORDER BY 1
                    """).rows.compactMap { row -> Double? in
                        guard let t = row[0].flatMap(Double.init), let n = row[1].flatMap(Int.init), n >= markets, t >= from, t <= to else { return nil }
                        return t
                    }
                let arrivals = server.requestArrivals.sorted()
                for commit in commits {
                    if let requested = Self.latest(arrivals, before: commit) {
                        latencies.append((commit - requested) * 1000)
                    } else {
                        unmatched += 1
                    }
                }
            }
            let status = try ProcStats.status(pid)
            rss.append((wall, status["VmRSS"] ?? 0))
            let threads = ProcStats.threadNames(pid)
            try daemon.probe(probe)
            let (exitStatus, peakWithShutdown) = daemon.stopReadingPeak()
            let counts = try await conn.query("SELECT count(*), count(DISTINCT ts) FROM \(schema.quoted).market_snapshots").rows.first ?? []

            latencies.sort()
            let mib = { (kb: Int) in String(format: "%.1f MiB", Double(kb) / 1024) }
            let middle = rss[rss.count / 2]
            // Growth: least-squares slope of RSS over the second half of the run (warm-up excluded).
            let late = rss.filter { $0.0 >= wall / 2 }
            let slope = Self.slope(late.map { ($0.0, Double($0.1)) })
            var table = ResultTable()
            table.add("measured", String(format: "%.0f s", wall))
            table.add("polls committed (measured)", "\(latencies.count)")
            table.add("poll-to-committed p50", String(format: "%.1f ms", percentile(latencies, 0.50)))
            table.add("poll-to-committed p99", String(format: "%.1f ms", percentile(latencies, 0.99)), "≤ 50 ms")
            table.add("poll-to-committed max", String(format: "%.1f ms", latencies.last ?? .nan))
            table.add("RSS start", mib(rss.first!.1), "≤ 25 MB")
            table.add(String(format: "RSS middle (t = %.0f s)", middle.0), mib(middle.1), "flat")
            table.add("RSS end", mib(rss.last!.1), "flat")
            table.add("  of which anonymous / file-backed", "\(mib(status["RssAnon"] ?? 0)) / \(mib(status["RssFile"] ?? 0))")
            table.add("RSS min / max over run", "\(mib(rss.map { $0.1 }.min()!)) / \(mib(rss.map { $0.1 }.max()!))")
            table.add("RSS slope, second half", String(format: "%+.1f KiB/min", slope * 60), "≈ 0")
            table.add("peak RSS (VmHWM)", mib(status["VmHWM"] ?? 0))
            table.add("  with the shutdown (VmHWM read until exit)", mib(peakWithShutdown), "≤ 25 MB")
            table.add("threads", "\(threads.count)")
            table.add("rows / captures (whole run)", "\(counts.first.flatMap { $0 } ?? "?") / \(counts.dropFirst().first.flatMap { $0 } ?? "?")")
            table.add("requests (whole run)", "\(server.requests.count)")
            if unmatched > 0 { table.add("commits without a request", "\(unmatched)", "0") }
            table.add("daemon exit status", "\(exitStatus)", "0")
            table.print()
            print("daemon threads: " + Dictionary(grouping: threads, by: { $0 }).map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", "))
            print("RSS series (s, KiB): " + rss.map { String(format: "%.0f:%d", $0.0, $0.1) }.joined(separator: " "))
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

    /// The latest of the ascending `times` strictly before `t`.
    static func latest(_ times: [Double], before t: Double) -> Double? {
        var (lo, hi) = (0, times.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 ? times[lo - 1] : nil
    }

    /// Least-squares slope (KiB per second) of `(t, kib)` points; 0 for fewer than two.
    static func slope(_ points: [(Double, Double)]) -> Double {
        guard points.count >= 2 else { return 0 }
        let n = Double(points.count)
        let mt = points.map(\.0).reduce(0, +) / n, mv = points.map(\.1).reduce(0, +) / n
        let cov = points.map { ($0.0 - mt) * ($0.1 - mv) }.reduce(0, +)
        let varT = points.map { ($0.0 - mt) * ($0.0 - mt) }.reduce(0, +)
        return varT > 0 ? cov / varT : 0
    }
}

/// A `GetEventResponse` body shaped like Kalshi's (a trimmed copy of the KalshiKit tests'
/// fixture builder, fixed-point form, which the contract test validates against the OpenAPI spec).
enum KalshiPayload {
    static func time(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }

    static func market(event: EventTicker, strike: String) -> String {
        let close = event.closeEpochSeconds
        return """
            {"ticker": "\(event)-T\(strike)", "event_ticker": "\(event)", "market_type": "binary", \
            "title": "Bitcoin price today at \(close)?", "subtitle": "$\(strike) or above", \
            "yes_sub_title": "$\(strike) or above", "no_sub_title": "$\(strike) or above", \
            "created_time": "\(time(close - 7200))", "updated_time": "\(time(close - 7200))", \
            "open_time": "\(time(close - 3600))", "close_time": "\(time(close))", \
            "expected_expiration_time": "\(time(close + 300))", "expiration_time": "\(time(close + 7 * 86400))", \
            "latest_expiration_time": "\(time(close + 7 * 86400))", "settlement_timer_seconds": 60, \
            "status": "active", "response_price_units": "usd_cent", "notional_value_dollars": "1.0000", \
            "yes_bid_dollars": "0.1200", "yes_bid_size_fp": "250.00", "yes_ask_dollars": "0.1400", \
            "yes_ask_size_fp": "100.00", "no_bid_dollars": "0.8600", "no_ask_dollars": "0.8800", \
            "last_price_dollars": "0.1300", "previous_yes_bid_dollars": "0.1200", "previous_yes_ask_dollars": "0.1400", \
            "previous_price_dollars": "0.1300", "volume_fp": "1520.00", "volume_24h_fp": "310.00", \
            "liquidity_dollars": "0.0000", "open_interest_fp": "977.00", "result": "", "can_close_early": true, \
            "fractional_trading_enabled": false, "expiration_value": "", \
            "early_close_condition": "This market will close and expire early if the event occurs.", \
            "tick_size": 1, "strike_type": "greater", "floor_strike": \(strike), \
            "rules_primary": "If the price of Bitcoin is above \(strike) at \(time(close)), then the market resolves to Yes.", \
            "rules_secondary": "", "price_level_structure": "linear_cent", \
            "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}]}
            """
    }

    static func eventResponse(_ event: EventTicker, markets n: Int) -> String {
        let close = event.closeEpochSeconds
        let markets = (0..<n).map { market(event: event, strike: "\(116_999 + 250 * $0).99") }
        return """
            {"event": {"event_ticker": "\(event)", "series_ticker": "\(event.series)", \
            "sub_title": "On \(time(close))", "title": "Bitcoin price at \(time(close))?", "collateral_return_type": "", \
            "mutually_exclusive": false, "category": "Crypto", "strike_date": "\(time(close))", \
            "available_on_brokers": true, "product_metadata": null, "last_updated_ts": "\(time(close - 7200))"}, \
            "markets": [\(markets.joined(separator: ", "))]}
            """
    }
}

// main.swift cannot use @main: parse, then run the async body.
do {
    try await KalshiWatchdogBenchmark.parse().execute()
} catch {
    KalshiWatchdogBenchmark.exit(withError: error)
}
