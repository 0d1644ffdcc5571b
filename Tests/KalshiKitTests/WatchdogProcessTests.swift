import FixtureServers
import Foundation
import Testing
import StorageKit
@testable import KalshiKit

/// Runs the built `kalshi-api-watchdog` against a fixture Kalshi server, writing JSON (primary) and
/// PostgreSQL, and checks the two stores row for row.
@Suite(.timeLimit(.minutes(3)))
struct WatchdogProcessTests {
    static func executable() throws -> URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("kalshi-api-watchdog")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        try #require(Bool(false), "kalshi-api-watchdog not found near \(Bundle.main.bundleURL.path); run swift build --build-tests first")
        return folder
    }

    static func writeConfig(_ url: URL, schema: String, jsonDir: URL, options: String) throws {
        let text = """
            {"postgres": {"conninfo": "", "schema": "\(schema)"},
             "services": {
               "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres"},
               "kalshi_api_watchdog": {"writers": ["json", "postgres"], "primary": "json", "json_dir": "\(jsonDir.path)",
                                       "json_archive": true, "options": \(options)},
               "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres"},
               "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}}}
            """
        try Data(text.utf8).write(to: url)
    }

    static func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["RECIO_LOG_LEVEL"] = "warning"
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }

    /// The value of column `i` of the first row.
    func cell(_ rows: PostgresRows, _ i: Int) -> String? {
        guard let row = rows.rows.first, i < row.count else { return nil }
        return row[i]
    }

    static func waitForExit(_ process: Process) async -> Int32 {
        await Task.detached { process.waitUntilExit(); return process.terminationStatus }.value
    }

    /// Waits (polling the fixture's request log) until it has received `count` requests.
    static func waitForRequests(_ server: FixtureServer, _ count: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while server.requests.count < count {
            try #require(ContinuousClock.now < deadline, "the watchdog made \(server.requests.count) requests, expected \(count)")
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func badOptionsExit78() async throws {
        try await withTemporaryDirectory { dir in
            for (options, path) in [
                ("{\"poll_interval_seconds\": 0.5}", "options.poll_interval_seconds"),
                ("{\"series\": [\"kxbtcd\"]}", "options.series[0]"),
                ("{\"pol_interval_seconds\": 1}", "options.pol_interval_seconds"),
                ("{\"base_url\": \"ftp://x\"}", "options.base_url"),
            ] {
                let config = dir.appendingPathComponent("services.json")
                try Self.writeConfig(config, schema: "user_0001", jsonDir: dir, options: options)
                let (process, err) = try Self.start(["--config", config.path, "--check-config"])
                let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(await Self.waitForExit(process) == 78, "\(options): \(stderr)")
                #expect(stderr.contains("$.services.kalshi_api_watchdog.\(path)"), "\(stderr)")
            }
        }
    }

    @Test func dualWriteRowForRow() async throws {
        let markets = 5
        let server = try await FixtureServer.start()
        defer { Task { await server.shutdown() } }
        // The current event and the next one (in case the test runs across a top of the hour).
        let now = Int64(Date().timeIntervalSince1970)
        let events = [EventTicker(series: "KXBTCD", at: now), EventTicker(series: "KXBTCD", at: now).next]
        func setAll(_ response: (EventTicker) -> HTTPFixtureResponse) {
            for e in events { server.setRoute(HTTPFixtureRoute("GET", "/trade-api/v2/events/\(e)"), response(e)) }
        }
        let bodies = Dictionary(uniqueKeysWithValues: events.map { ($0.description, KalshiFixtures.eventResponse($0, markets: markets, form: .both)) })
        let ok: (EventTicker) -> HTTPFixtureResponse = { .json(bodies[$0.description]!) }

        try await withTemporaryDirectory { dir in
            try await TestPostgres.withSchema(.nameOnly) { schema, conn in
                let config = dir.appendingPathComponent("services.json")
                let jsonDir = dir.appendingPathComponent("legacy")
                try Self.writeConfig(config, schema: schema.name, jsonDir: jsonDir, options: """
                    {"base_url": "\(server.httpBaseURL)/trade-api/v2", "poll_interval_seconds": 1,
                     "request_timeout_ms": 800, "max_attempts": 2}
                    """)
                setAll(ok)
                let (process, err) = try Self.start(["--config", config.path])
                let stderrTask = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }
                var okPolls = 0
                // Phase by phase: switch right after a request arrived, so the next one (a second
                // later, or after a backoff) sees the new answer.
                try await Self.waitForRequests(server, 3)
                okPolls += server.requests.count
                setAll { _ in .json(KalshiFixtures.errorBody(code: "internal_server_error", message: "boom"), status: 500) }
                var seen = server.requests.count
                try await Self.waitForRequests(server, seen + 2)  // one poll: the attempt and its retry
                setAll { _ in HTTPFixtureResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array(KalshiFixtures.htmlErrorPage.utf8)) }
                seen = server.requests.count
                try await Self.waitForRequests(server, seen + 1)
                setAll { e in .json(String(bodies[e.description]!.prefix(300))) }
                seen = server.requests.count
                try await Self.waitForRequests(server, seen + 1)
                setAll { _ in .json(KalshiFixtures.errorBody(code: "too_many_requests", message: "slow down"), status: 429, headers: [("Retry-After", "1")]) }
                seen = server.requests.count
                try await Self.waitForRequests(server, seen + 2)  // the 429, then its retry a second later
                setAll(ok)
                seen = server.requests.count
                try await Self.waitForRequests(server, seen + 2)
                okPolls += server.requests.count - seen
                setAll { _ in .json(KalshiFixtures.errorBody(code: "not_found", message: "event not found"), status: 404) }
                seen = server.requests.count
                try await Self.waitForRequests(server, seen + 2)

                process.interrupt()  // SIGINT: graceful shutdown, like SIGTERM
                let status = await Self.waitForExit(process)
                let stderr = String(decoding: await stderrTask.value, as: UTF8.self)
                #expect(status == 0, "\(stderr)")

                // PostgreSQL: exactly okPolls × markets rows, okPolls distinct capture seconds.
                let rows = try await conn.query("SELECT count(*), count(DISTINCT ts), count(DISTINCT market_ticker) FROM \(schema.quoted).market_snapshots")
                #expect(cell(rows, 0) == String(okPolls * markets), "okPolls \(okPolls); \(stderr)")
                #expect(cell(rows, 1) == String(okPolls))
                #expect(cell(rows, 2) == String(markets))
                let exact = try await conn.query("SELECT yes_bid::text, volume::text, floor_strike::text, raw->>'ticker' FROM \(schema.quoted).market_snapshots ORDER BY ts, market_ticker LIMIT 1")
                #expect(cell(exact, 0) == "0.1200")
                #expect(cell(exact, 1) == "1520.00")
                #expect(cell(exact, 2) == "116999.99")
                #expect(cell(exact, 3)?.hasSuffix("-T116999.99") == true)
                let beats = try await conn.query("SELECT count(*) FROM \(schema.quoted).heartbeats WHERE service = 'kalshi_api_watchdog'")
                #expect((Int(cell(beats, 0) ?? "") ?? 0) >= okPolls)

                // JSON archive: the same count of lines.
                let files = try FileManager.default.contentsOfDirectory(atPath: jsonDir.path)
                var lines = 0
                for file in files where file.hasPrefix("market_snapshots-") && file.hasSuffix(".jsonl") {
                    let text = try String(contentsOf: jsonDir.appendingPathComponent(file), encoding: .utf8)
                    lines += text.split(separator: "\n").count
                }
                #expect(lines == okPolls * markets, "\(files)")

                // latest_market_snapshot.json: the response as served plus "title", indented.
                let latest = try String(contentsOf: jsonDir.appendingPathComponent("latest_market_snapshot.json"), encoding: .utf8)
                let latestTicker = try #require(try OrderedJSON.parse(Array(latest.utf8))["event"]?["event_ticker"]?.stringValue)
                let served = try #require(bodies[latestTicker])
                let response = try OrderedJSON.parse(Array(served.utf8))
                let title = try #require(response["event"]?["title"]?.stringValue)
                let expected = LegacyMarketSnapshotFile.contents(MarketPollSnapshot(second: 0, seriesTicker: "KXBTCD", eventTicker: "", title: title, response: response))
                #expect(latest == expected)
                #expect(latest.hasPrefix("{\n  \"event\": {\n    \"event_ticker\": \"KXBTCD-"))
                #expect(latest.hasSuffix(",\n  \"title\": \(OrderedJSON.string(title).compactText)\n}\n"))

                let heartbeat = try String(contentsOf: jsonDir.appendingPathComponent("kalshi_logger_heartbeat.txt"), encoding: .utf8)
                #expect(heartbeat.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d Kalshi logger alive\n$"#, options: .regularExpression) != nil, "\(heartbeat)")
            }
        }
        await server.shutdown()
    }
}
