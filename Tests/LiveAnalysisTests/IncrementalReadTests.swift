import Foundation
import Testing
import PriceAnalytics
import StorageKit
@testable import LiveAnalysis

/// After the start-up load, each cycle reads only the rows newer than the newest seen: one row a
/// second at steady state, never the window again.
@Suite(.timeLimit(.minutes(2)))
struct IncrementalReadTests {
    @Test func steadyStateFetchesOneRowPerCycle() async throws {
        try await TestPostgres.withSchema { schema, _ in
            let t0 = SyntheticHistory.start
            // 2 h of history, a 5 s hole at 1 h 30 min 10 s.
            try await loadHistory(SyntheticHistory.ticks(seconds: 7_200, gaps: [(5_410, 5)]), sqlitePath: nil, schema: schema)
            let reader = CountingReader(try PostgresPriceHistoryReader(connection: try TestPostgres.connection(), schema: schema))
            let engine = LiveAnalysisEngine(analyzer: try Analyzer(), logger: testLogger)
            await engine.install(reader)

            let start = t0 + 5_400
            let first = try await engine.cycle(now: start)
            let capacity = Int64(AnalyzerConfiguration().requiredCapacitySeconds + 300)
            #expect(first.initialLoad)
            #expect(first.rowsFetched == Int(capacity) + 1)  // the window plus the last row before it
            #expect(reader.recorded.first?.from == start - capacity + 1 && reader.recorded.first?.to == start + 1)

            reader.reset()
            var perCycle: [Int] = []
            for now in start + 1 ... start + 60 {
                let report = try await engine.cycle(now: now)
                #expect(!report.initialLoad)
                perCycle.append(report.rowsFetched)
                #expect(await engine.lastRowsFetched == report.rowsFetched)
            }
            // One row a second, none in the 5 s hole (seconds 10...14 after start).
            #expect(perCycle == Array(repeating: 1, count: 9) + Array(repeating: 0, count: 5) + Array(repeating: 1, count: 46))
            // Exactly one query a cycle, from the row after the newest seen up to now.
            let calls = reader.recorded
            #expect(calls.count == 60)
            #expect(calls.allSatisfy { $0.to - $0.from <= 6 })
            #expect(calls[20].from == start + 21 && calls[20].to == start + 22)
            // During the hole the cursor stays at the first missing second.
            #expect(calls[12].from == start + 10 && calls[12].to == start + 14)
            #expect(await engine.totalRowsFetched == Int(capacity) + 1 + 55)
            await engine.close()
        }
    }

    @Test func staleInputIsMarkedAndRecovers() async throws {
        try await TestPostgres.withSchema { schema, _ in
            let t0 = SyntheticHistory.start
            let ticks = SyntheticHistory.ticks(seconds: 600)
            try await loadHistory(Array(ticks.prefix(300)), sqlitePath: nil, schema: schema)
            let engine = LiveAnalysisEngine(analyzer: try Analyzer(configuration: .init(staleAfterSeconds: 10)), logger: testLogger)
            await engine.install(try PostgresPriceHistoryReader(connection: try TestPostgres.connection(), schema: schema))
            #expect(try await engine.cycle(now: t0 + 299).sample.stale == false)
            #expect(try await engine.cycle(now: t0 + 309).sample.stale == false)  // 10 s old: at the threshold
            let stale = try await engine.cycle(now: t0 + 310).sample
            #expect(stale.stale && stale.secondsSinceLastPrice == 11)
            // The feed comes back (late rows included): the next cycle reads them all and recovers.
            try await loadHistory(Array(ticks[300 ..< 320]), sqlitePath: nil, schema: schema)
            let back = try await engine.cycle(now: t0 + 319)
            #expect(back.rowsFetched == 20)
            #expect(back.sample.stale == false)
            await engine.close()
        }
    }
}
