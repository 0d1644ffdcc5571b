import Foundation
import Testing
import PriceAnalytics
import StorageKit
@testable import LiveAnalysis

/// The same price history in the legacy SQLite `price_log` and in PostgreSQL `price_history`
/// gives identical samples, cycle after cycle, from either reader.
@Suite(.timeLimit(.minutes(3)))
struct ReaderParityTests {
    /// Two hours with gaps: a 40 s hole, a 7-minute outage, a lone missing second.
    static let history = SyntheticHistory.ticks(seconds: 7_200, gaps: [(1_000, 40), (4_100, 420), (6_000, 1)])

    @Test func sqliteAndPostgresGiveIdenticalSamples() async throws {
        try await withTemporaryDirectory { dir in
            try await TestPostgres.withSchema { schema, _ in
                let path = dir.appendingPathComponent("btc_price_history.db").path
                try await loadHistory(Self.history, sqlitePath: path, schema: schema)
                let analyzer = try Analyzer()
                let sqlite = LiveAnalysisEngine(analyzer: analyzer, logger: testLogger)
                let postgres = LiveAnalysisEngine(analyzer: analyzer, logger: testLogger)
                await sqlite.install(try await SQLitePriceHistoryReader(path: path))
                await postgres.install(try PostgresPriceHistoryReader(connection: try TestPostgres.connection(), schema: schema))

                // Start before the history (nothing), then across both gaps to past its end (stale).
                let t0 = SyntheticHistory.start
                var checked = 0, withAllFigures = 0
                // Every second around the first gap, then every 7th second (several new rows a cycle):
                // the SQLite reader searches ±1 h of local-time keys per read, so a cycle costs ~50 ms
                // in a debug build.
                let seconds = [t0 - 10, t0 + 30] + Array(t0 + 980 ... t0 + 1_100) + Array(stride(from: t0 + 1_107, to: t0 + 7_230, by: 7))
                for now in seconds {
                    let a = try await sqlite.cycle(now: now)
                    let b = try await postgres.cycle(now: now)
                    #expect(a.sample == b.sample, "sample at \(now) differs")
                    #expect(a.rowsFetched == b.rowsFetched, "rows fetched at \(now) differ")
                    if a.sample.missingFigures.isEmpty { withAllFigures += 1 }
                    checked += 1
                }
                #expect(checked == seconds.count)
                // Most seconds after the first hour have every figure; the outage empties some windows.
                #expect(withAllFigures > 300)
                await sqlite.close()
                await postgres.close()
            }
        }
    }

    @Test func missingHistoryGivesNullFiguresNeverWrongOnes() async throws {
        try await TestPostgres.withSchema { schema, _ in
            try await loadHistory(Array(Self.history.prefix(600)), sqlitePath: nil, schema: schema)
            let engine = LiveAnalysisEngine(analyzer: try Analyzer(), logger: testLogger)
            await engine.install(try PostgresPriceHistoryReader(connection: try TestPostgres.connection(), schema: schema))
            let t0 = SyntheticHistory.start
            let empty = try await engine.cycle(now: t0 - 5).sample
            #expect(empty.price == nil && empty.stale && empty.momentum == nil)
            #expect(empty.missingFigures.contains("price"))
            let early = try await engine.cycle(now: t0 + 200).sample
            #expect(early.price?.second == t0 + 200)
            #expect(early.delta(minutes: 1) != nil && early.delta(minutes: 3) != nil)
            #expect(early.delta(minutes: 4) == nil && early.delta(minutes: 15) == nil && early.delta(minutes: 30) == nil)
            #expect(early.volatility(windowSeconds: 60) != nil)
            #expect(early.volatility(windowSeconds: 300) == nil && early.volatility(windowSeconds: 3_600) == nil)
            #expect(early.momentum != nil)  // renormalised over the deltas present
            await engine.close()
        }
    }
}
