import Foundation
import Logging
import Synchronization
import Testing
import PriceAnalytics
import ServiceKit
import StorageKit
@testable import LiveAnalysis

/// The daemon in process, on an injected clock: samples published to PostgreSQL and the JSON
/// latest file, a SIGHUP-style reload from the SQLite reader to the PostgreSQL one without a jump,
/// stale input in `STATUS=`.
@Suite(.timeLimit(.minutes(3)))
struct DaemonReloadTests {
    @Test func switchingReaderContinuesTheSeriesWithoutAJump() async throws {
        try await withTemporaryDirectory { dir in
            try await TestPostgres.withSchema { schema, connection in
                let t0 = SyntheticHistory.start
                let history = SyntheticHistory.ticks(seconds: 7_200, gaps: [(3_705, 3)])
                try await loadHistory(history, sqlitePath: dir.appendingPathComponent("btc_price_history.db").path, schema: schema)
                let configURL = dir.appendingPathComponent("services.json")
                try writeServicesConfig(at: configURL, schema: schema.name, reader: "sqlite", dir: dir)
                func context() throws -> DaemonContext {
                    DaemonContext(config: try ServicesConfig.load(path: configURL.path), service: .liveDataAnalysis,
                                  logger: testLogger, environment: ProcessInfo.processInfo.environment)
                }
                let now = Mutex<Int64>(t0 + 3_690)
                let daemon = try LiveDataAnalysisDaemon(context: try context(), clock: { Date(timeIntervalSince1970: TimeInterval(now.withLock { $0 })) })
                try await daemon.prepare()
                #expect(await daemon.health() != .healthy)

                let reference = LiveAnalysisEngine(analyzer: try Analyzer(), logger: testLogger)
                await reference.install(try PostgresPriceHistoryReader(connection: try TestPostgres.connection(), schema: schema))
                var seconds: [Int64] = []
                for second in t0 + 3_690 ... t0 + 3_750 {
                    now.withLock { $0 = second }
                    if second == t0 + 3_720 {
                        try writeServicesConfig(at: configURL, schema: schema.name, reader: "postgres", dir: dir)
                        try await daemon.reload(context: try context())
                    }
                    await daemon.runCycle()
                    let expected = try await reference.cycle(now: second).sample
                    #expect(await daemon.engine.lastSample == expected, "sample at \(second) differs from the reference")
                    seconds.append(second)
                }
                #expect(await daemon.engine.readerName == "postgres")
                #expect(await daemon.statusLine().contains("reading postgres"))
                #expect(await daemon.health() == .healthy)

                // Stale input: the history ends at t0 + 7199.
                now.withLock { $0 = t0 + 7_215 }
                await daemon.runCycle()
                let status = await daemon.statusLine()
                #expect(status.contains("STALE: no new price for 16 s"), "\(status)")
                #expect(await daemon.engine.lastSample?.stale == true)

                try await daemon.shutdown()
                await reference.close()
                let stored = try await PostgresRecordReader<AnalysisSampleRecord>(connection: connection, schema: schema)
                    .records(from: t0, to: t0 + 8_000)
                #expect(stored.map(\.second) == seconds + [t0 + 7_215])
                #expect(stored.last?.stale == true)
                let latest = try JSONDecoder().decode(AnalysisSampleRecord.self,
                                                      from: Data(contentsOf: dir.appendingPathComponent(AnalysisSampleRecord.latestFileName)))
                #expect(latest == stored.last)
            }
        }
    }
}
