import Foundation
import Synchronization
import Testing
import PriceAnalytics
import StorageKit
@testable import LiveAnalysis

/// Runs the built `live-data-analysis` binary against a real PostgreSQL schema while a test task
/// keeps adding one tick a second to both stores.
@Suite(.timeLimit(.minutes(3)), .serialized)
struct DaemonProcessTests {
    /// The executable in the build products folder (where the test bundle is on Linux).
    static func executable() throws -> URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("live-data-analysis")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        try #require(Bool(false), "live-data-analysis not found near \(Bundle.main.bundleURL.path); run swift build --build-tests first")
        return folder
    }

    static func launch(config: URL, stderr: URL) throws -> Process {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = ["--config", config.path]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        environment.removeValue(forKey: "WATCHDOG_USEC")
        environment.removeValue(forKey: "JOURNAL_STREAM")  // log to stderr, which the test reads
        environment["RECIO_LOG_LEVEL"] = "debug"
        process.environment = environment
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for the process to exit (on a thread of its own) and returns its status.
    static func exitStatus(_ process: Process) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    static func storedSamples(_ connection: PostgresConnection, _ schema: PostgresIdentifier) async throws -> [AnalysisSampleRecord] {
        try await PostgresRecordReader<AnalysisSampleRecord>(connection: connection, schema: schema).records(from: 0, to: 4_000_000_000)
    }

    /// Polls the table until `condition` holds: the daemon is another process, so there is nothing
    /// to await but its output.
    static func waitFor(_ what: String, timeout: Duration = .seconds(40), _ connection: PostgresConnection, _ schema: PostgresIdentifier,
                        _ condition: ([AnalysisSampleRecord]) -> Bool) async throws -> [AnalysisSampleRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let rows = try await storedSamples(connection, schema)
            if condition(rows) { return rows }
            try #require(ContinuousClock.now < deadline, "timed out waiting for \(what); \(rows.count) samples stored")
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    @Test func publishesSwitchesReaderWithoutAJumpAndStopsCleanly() async throws {
        try await withTemporaryDirectory { dir in
            try await TestPostgres.withSchema { schema, connection in
                let sqlitePath = dir.appendingPathComponent("btc_price_history.db").path
                let wallNow = Int64(Date().timeIntervalSince1970)
                let begin = wallNow - 7_200
                let ticks = SyntheticHistory.ticks(seconds: 7_200 + 600).map {
                    PriceTick(second: $0.second - SyntheticHistory.start + begin, price: $0.price, source: $0.source)
                }
                try await loadHistory(ticks.filter { $0.second <= wallNow }, sqlitePath: sqlitePath, schema: schema)
                let config = dir.appendingPathComponent("services.json")
                try writeServicesConfig(at: config, schema: schema.name, reader: "sqlite", dir: dir)

                let sqlite = try SQLiteWriter<PriceTick>(path: sqlitePath, logger: testLogger)
                let postgres = try PostgresWriter<PriceTick>(connection: try TestPostgres.connection(), schema: schema, logger: testLogger)
                // The feeder: each tick goes into both stores once its second has begun.
                let feeder = Task {
                    var next = ticks.firstIndex { $0.second > wallNow }!
                    while !Task.isCancelled, next < ticks.count {
                        let due = ticks[next...].prefix { $0.second <= Int64(Date().timeIntervalSince1970) }
                        if !due.isEmpty {
                            try await sqlite.write(Array(due))
                            try await postgres.write(Array(due))
                            next += due.count
                        }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                defer { feeder.cancel() }

                let log = dir.appendingPathComponent("stderr.log")
                let process = try Self.launch(config: config, stderr: log)
                let status = Task { await Self.exitStatus(process) }
                var stopped = false
                defer { if !stopped { process.terminate() } }

                let before = try await Self.waitFor("samples from the SQLite reader", connection, schema) { $0.count >= 4 }
                #expect(before.first!.second >= wallNow)
                try writeServicesConfig(at: config, schema: schema.name, reader: "postgres", dir: dir)
                let switchedAt = Int64(Date().timeIntervalSince1970)
                kill(process.processIdentifier, SIGHUP)
                let rows = try await Self.waitFor("samples from the PostgreSQL reader", connection, schema) {
                    ($0.last?.second ?? 0) >= switchedAt + 5
                }
                kill(process.processIdentifier, SIGTERM)
                #expect(await status.value == 0)
                stopped = true
                feeder.cancel()
                try await sqlite.close()
                try await postgres.close()

                let journal = try String(contentsOf: log, encoding: .utf8)
                #expect(journal.contains("price history reader switched"), "\(journal.suffix(2_000))")
                // Steady state reads one row a cycle (occasionally 0 or 2 when a cycle and the feeder race).
                let perCycle = journal.split(separator: "\n").filter { $0.hasPrefix("<7>cycle ") }
                    .compactMap { line in line.range(of: "rows_fetched=").map { Int(line[$0.upperBound...].prefix { $0.isNumber }) ?? -1 } }
                #expect(perCycle.count >= 8, "\(journal.suffix(2_000))")
                #expect(perCycle.dropFirst().allSatisfy { (0...2).contains($0) }, "\(perCycle)")
                // Every stored sample equals the analysis of the history up to its price's second:
                // no jump at the switch, no stale sample, no second skipped.
                let analyzer = try Analyzer()
                let capacity = LiveAnalysisOptions().seriesCapacitySeconds
                for (row, previous) in zip(rows.dropFirst(), rows) {
                    #expect(row.second - previous.second <= 2, "gap between \(previous.second) and \(row.second)")
                }
                for row in rows {
                    let p = try #require(row.priceSecond)
                    var series = PriceSeries(capacitySeconds: capacity)
                    for tick in ticks where tick.second <= p { series.append(second: tick.second, cents: tick.price.cents) }
                    let expected = AnalysisSampleRecord(analyzer.sample(at: row.second, in: series))
                    #expect(row == expected, "sample at \(row.second) (switch at \(switchedAt)) is not the analysis of its history")
                    #expect(!row.stale)
                    #expect(row.volatility(windowSeconds: 3_600) != nil && row.delta30m != nil)
                }
            }
        }
    }

    @Test func badOptionsExit78NamingTheKey() async throws {
        try await withTemporaryDirectory { dir in
            let config = dir.appendingPathComponent("services.json")
            try writeServicesConfig(at: config, schema: "user_0001", reader: "postgres", dir: dir,
                                    options: #"{"momentum_weights": [1, 2, 3]}"#)
            let log = dir.appendingPathComponent("stderr.log")
            let process = try Self.launch(config: config, stderr: log)
            #expect(await Self.exitStatus(process) == 78)
            let stderr = try String(contentsOf: log, encoding: .utf8)
            #expect(stderr.contains("$.services.live_data_analysis.options.momentum_weights"), "\(stderr)")
        }
    }
}
