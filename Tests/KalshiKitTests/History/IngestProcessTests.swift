import FixtureServers
import Foundation
import Testing
import StorageKit
@testable import KalshiKit

/// The real `kalshi-historical-ingest` binary: `--once` runs, SIGKILL at random points of a
/// multi-page backfill, and start-up errors.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct IngestProcessTests {
    static let dataset = KalshiHistoryDataset(markets: 8, marketLifeSeconds: 7200, tradesPerMarket: 31, fills: 57, settlements: 17, positions: 11)

    static func executable() throws -> URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("kalshi-historical-ingest")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        try #require(Bool(false), "kalshi-historical-ingest not found near \(Bundle.main.bundleURL.path); run swift build --build-tests first")
        return folder
    }

    /// `stores` is the ingest entry's store part (PostgreSQL only by default).
    static func writeConfig(_ url: URL, schema: String, options: String,
                            stores: String = #""writers": ["postgres"], "primary": "postgres""#) throws {
        let text = """
            {"postgres": {"conninfo": "", "schema": "\(schema)"},
             "services": {
               "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres"},
               "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres"},
               "kalshi_historical_ingest": {\(stores), "options": \(options)},
               "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}}}
            """
        try Data(text.utf8).write(to: url)
    }

    static func options(_ server: FixtureServer, keys: IngestTestKeys, pageLimit: Int = 4) -> String {
        """
        {"base_url": "\(KalshiHistoryFixture.baseURL(server))", "series": ["KXBTCD"], "start_date": "2025-08-01",
         "page_limit": \(pageLimit), "key_id": "\(IngestTestKeys.keyID)", "private_key_file": "\(keys.privateKeyPath.path)",
         "reads_per_second": 5000, "max_attempts": 6, "request_timeout_ms": 5000}
        """
    }

    static func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["RECIO_LOG_LEVEL"] = "error"
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }

    static func finish(_ process: Process, _ err: Pipe) async -> (Int32, String) {
        let data = await Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        await Task.detached { process.waitUntilExit() }.value
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Killed with SIGKILL at random points N times, then run to the end: the tables equal a clean
    /// single run row for row.
    @Test func killedAtRandomPointsResumesWithNoGapAndNoDuplicate() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let server = try await FixtureServer.start(logger: quietLogger("fixture"))
            // 40 ms per answer stretches the backfill over ~100 requests (several seconds), and each kill
            // comes 0.1–0.4 s into a run, so that kills land mid-run even late in the backfill.
            let fixture = KalshiHistoryFixture(dataset: Self.dataset, verifier: try keys.verifier(),
                                               faults: .init(rateLimitEvery: 13, delay: .milliseconds(40)))
            fixture.install(on: server)
            try await TestPostgres.withSchema(.nameOnly) { clean, conn in
                let config = dir.appendingPathComponent("clean.json")
                try Self.writeConfig(config, schema: clean.name, options: Self.options(server, keys: keys))
                let (p, e) = try Self.start(["--config", config.path, "--once"])
                let (status, stderr) = await Self.finish(p, e)
                #expect(status == 0, "\(stderr)")
                let reference = try await HistoryTables.dump(conn, clean)
                #expect(reference.mapValues(\.count) == HistoryTables.expected(Self.dataset))

                try await TestPostgres.withSchema(.nameOnly) { killed, conn2 in
                    let config2 = dir.appendingPathComponent("killed.json")
                    try Self.writeConfig(config2, schema: killed.name, options: Self.options(server, keys: keys))
                    var kills = 0
                    var finished = false
                    var runs = 0
                    while !finished && runs < 20 {
                        runs += 1
                        let (process, err) = try Self.start(["--config", config2.path, "--once"])
                        if kills < 6 {
                            try await Task.sleep(for: .milliseconds(Int.random(in: 100...400)))
                            if process.isRunning {
                                kill(process.processIdentifier, SIGKILL)
                                kills += 1
                            }
                        }
                        let (status, stderr) = await Self.finish(process, err)
                        if process.terminationReason == .exit {
                            #expect(status == 0, "\(stderr)")
                            finished = status == 0
                        }
                    }
                    #expect(finished)
                    #expect(kills >= 3, "the backfill finished before most kills; make the fixture slower")
                    let resumed = try await HistoryTables.dump(conn2, killed)
                    for (table, rows) in reference {
                        #expect(resumed[table] == rows, "\(table): \(resumed[table]?.count ?? 0) rows vs \(rows.count)")
                    }
                    let checkpoints = try await conn2.query("SELECT count(*) FROM \(killed.quoted).ingest_checkpoints WHERE pass_max IS NOT NULL")
                    #expect(checkpoints.rows.first?.first == "0")
                }
            }
            await server.shutdown()
        }
    }

    @Test func startUpErrorsExit78WithoutKeyMaterial() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let server = try await FixtureServer.start(logger: quietLogger("fixture"))
            let good = Self.options(server, keys: keys)
            let cases: [(String, String)] = [
                (good.replacingOccurrences(of: keys.privateKeyPath.path, with: dir.appendingPathComponent("missing.pem").path), "private_key_file"),
                (good.replacingOccurrences(of: "\"page_limit\": 4", with: "\"page_limit\": 1001"), "options.page_limit"),
                (good.replacingOccurrences(of: "\"key_id\"", with: "\"key\""), "options.key"),
                (#"{"private_key_credential": "kalshi-private-key"}"#, "key_id"),
            ]
            for (options, expected) in cases {
                let config = dir.appendingPathComponent("services.json")
                try Self.writeConfig(config, schema: "user_0001", options: options)
                let (process, err) = try Self.start(["--config", config.path, "--check-config"])
                let (status, stderr) = await Self.finish(process, err)
                #expect(status == 78, "\(options): \(stderr)")
                #expect(stderr.contains(expected), "\(stderr)")
                #expect(!stderr.contains("PRIVATE KEY"))
            }
            // An unreadable credential names the credential, never its contents.
            let config = dir.appendingPathComponent("services.json")
            try Self.writeConfig(config, schema: "user_0001", options: good.replacingOccurrences(
                of: "\"private_key_file\": \"\(keys.privateKeyPath.path)\"", with: "\"private_key_credential\": \"kalshi-private-key.pem\""))
            let (ok, okErr) = try Self.start(["--config", config.path, "--check-config"], environment: ["CREDENTIALS_DIRECTORY": dir.path])
            let (okStatus, okText) = await Self.finish(ok, okErr)
            #expect(okStatus == 0, "\(okText)")
            await server.shutdown()
        }
    }
}
