import FixtureServers
import Foundation
import Testing
import StorageKit
@testable import KalshiKit

/// The ingest engine against the fixture Kalshi server (signatures verified, cursors, cutoff
/// split, injected 429/5xx) and a real PostgreSQL schema.
@Suite(.timeLimit(.minutes(3)))
struct HistoryIngestTests {
    static let dataset = KalshiHistoryDataset(markets: 6, marketLifeSeconds: 7200, tradesPerMarket: 23, fills: 41, settlements: 13, positions: 9)

    @Test func oneCycleStoresEverythingExactlyThroughFaultsAndASecondAddsNothing() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let harness = try await IngestHarness.start(Self.dataset, keys: keys,
                                                        faults: .init(rateLimitEvery: 7, serverErrorEvery: 11))
            try await TestPostgres.withSchema(.migrated) { schema, conn in
                let ingest = try harness.ingest(schema: schema, options: harness.options(keys: keys), signer: try keys.signer())
                let ok = await ingest.runCycle()
                #expect(ok, "\(ingest.progress.failures)")
                #expect(try await HistoryTables.counts(conn, schema) == HistoryTables.expected(Self.dataset))
                let counters = harness.fixture.counters
                #expect(counters.rejectedSignatures == 0)
                // Every account stream (live fills, historical fills, settlements, positions) made
                // signed requests that verified; how many depends on where the injected faults land.
                #expect(counters.verifiedSignatures >= 4)
                #expect(counters.rateLimited > 0 && counters.serverErrors > 0)
                #expect(ingest.progress.invalidObjects == 0)

                // Exact values, both live and historical forms.
                let fill = try await conn.query("SELECT count::text, yes_price::text, no_price::text, fee_cost::text, created_time::text, is_taker::text FROM \(schema.quoted).kalshi_fills WHERE trade_id = 'fill-trade-3'")
                #expect(fill.rows.first == ["4.75", "0.2600", "0.7400", "0.0210", "2025-08-08 19:10:00+00", "true"])
                let settlement = try await conn.query("SELECT revenue::text, value::text, yes_total_cost::text FROM \(schema.quoted).kalshi_settlements ORDER BY settled_time LIMIT 1 OFFSET 2")
                #expect(settlement.rows.first == ["2.0000", "1.0000", "0.8600"])
                let position = try await conn.query("SELECT position::text, realized_pnl::text FROM \(schema.quoted).kalshi_positions WHERE ticker LIKE '%-P3'")
                #expect(position.rows.first == ["-4.00", "-0.3333"])
                let historicalCandle = try await conn.query("""
                    SELECT yes_bid_open::text, price_close::text, price_mean::text, volume::text FROM \(schema.quoted).kalshi_candlesticks
                    WHERE ticker = '\(Self.dataset.marketTicker(0))' AND period_minutes = 1 ORDER BY end_period_ts LIMIT 1
                    """)
                #expect(historicalCandle.rows.first == ["0.2000", "0.2100", "0.2050", "0.00"])
                let untraded = try await conn.query("""
                    SELECT price_open IS NULL, price_previous::text FROM \(schema.quoted).kalshi_candlesticks
                    WHERE ticker = '\(Self.dataset.marketTicker(5))' AND period_minutes = 1 ORDER BY end_period_ts LIMIT 1 OFFSET 4
                    """)
                #expect(untraded.rows.first == ["t", "0.5900"])
                let hourly = try await conn.query("SELECT count(*) FROM \(schema.quoted).kalshi_candlesticks WHERE period_minutes = 60")
                #expect(hourly.rows.first?.first == String(Self.dataset.markets * 2))

                // Every stream has a finished checkpoint; per-market streams cover live and historical.
                let open = try await conn.query("SELECT count(*) FROM \(schema.quoted).ingest_checkpoints WHERE watermark IS NULL OR pass_max IS NOT NULL")
                #expect(open.rows.first?.first == "0")
                let streams = try await conn.query("SELECT stream FROM \(schema.quoted).ingest_checkpoints").rows.compactMap { $0.first ?? nil }
                #expect(streams.contains("fills") && streams.contains("fills.historical") && streams.contains("positions"))
                #expect(streams.contains { $0.hasPrefix("trades.historical/") } && streams.contains { $0.hasPrefix("trades/") })

                let before = try await HistoryTables.dump(conn, schema)
                let again = await ingest.runCycle()
                #expect(again)
                #expect(ingest.progress.rowsThisCycle < Int64(Self.dataset.positions + 1), "a second cycle re-stores only the positions snapshot")
                #expect(try await HistoryTables.dump(conn, schema) == before)
                await ingest.store.close()
            }
            await harness.server.shutdown()
        }
    }

    @Test func badSignatureIs401AndOnlyTheAccountStreamsFail() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let otherDir = dir.appendingPathComponent("other")
            try FileManager.default.createDirectory(at: otherDir, withIntermediateDirectories: true)
            let wrong = try IngestTestKeys(in: otherDir)
            let harness = try await IngestHarness.start(Self.dataset, keys: keys)
            try await TestPostgres.withSchema(.migrated) { schema, conn in
                var options = harness.options(keys: keys)
                options.markets = true
                let ingest = try harness.ingest(schema: schema, options: options, signer: try wrong.signer())
                #expect(await ingest.runCycle() == false)
                let failures = ingest.progress.failures
                #expect(Set(failures.keys) == ["fills", "fills.historical", "settlements", "positions"])
                #expect(failures["fills"] == "http_status 401")
                #expect(failures["positions"] == "http_status 401")
                #expect(harness.fixture.counters.rejectedSignatures > 0)
                let counts = try await HistoryTables.counts(conn, schema)
                #expect(counts["kalshi_fills"] == 0 && counts["kalshi_positions"] == 0)
                #expect(counts["kalshi_trades"] == Self.dataset.totalTrades)
                await ingest.store.close()
            }
            await harness.server.shutdown()
        }
    }

    @Test func aForbiddenStreamDoesNotStopTheOthers() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let harness = try await IngestHarness.start(Self.dataset, keys: keys, faults: .init(forbiddenPaths: ["/portfolio/settlements"]))
            try await TestPostgres.withSchema(.migrated) { schema, conn in
                let ingest = try harness.ingest(schema: schema, options: harness.options(keys: keys), signer: try keys.signer())
                #expect(await ingest.runCycle() == false)
                #expect(ingest.progress.failures == ["settlements": "http_status 403"])
                var expected = HistoryTables.expected(Self.dataset)
                expected["kalshi_settlements"] = 0
                #expect(try await HistoryTables.counts(conn, schema) == expected)
                // Once allowed again, the next cycle fills the gap.
                harness.fixture.setFaults(.init())
                #expect(await ingest.runCycle())
                #expect(try await HistoryTables.counts(conn, schema) == HistoryTables.expected(Self.dataset))
                await ingest.store.close()
            }
            await harness.server.shutdown()
        }
    }

    /// A reader polling the positions table while snapshots of 40 and 70 rows replace each other
    /// never sees any other count (no empty table, no half snapshot).
    @Test func positionsSnapshotReplacementIsAtomic() async throws {
        try await TestPostgres.withSchema(.migrated) { schema, conn in
            let writer = PostgresAtomicWriter(connection: try TestPostgres.connection(), schema: schema, logger: quietLogger())
            func snapshot(_ n: Int, at t: Int64) -> [KalshiPosition] {
                (0..<n).map { k in
                    KalshiPosition(ticker: "KXBTCD-P\(k)", position: ContractCount(contracts: Int64(k)), totalTraded: DollarAmount(cents: 5),
                                   marketExposure: DollarAmount(cents: 1), realizedPnl: DollarAmount(cents: -3), feesPaid: DollarAmount(cents: 1),
                                   restingOrdersCount: 0, lastUpdated: nil, snapshotTime: t, rawJSON: "{}")
                }
            }
            var first = PostgresAtomicBatch()
            try first.replaceAll(with: snapshot(40, at: 1_754_683_200))
            try await writer.commit(first)
            let reader = try TestPostgres.connection()
            let seen = try await withThrowingTaskGroup(of: Set<String>.self) { group in
                group.addTask {
                    for round in 0..<60 {
                        var batch = PostgresAtomicBatch()
                        try batch.replaceAll(with: snapshot(round % 2 == 0 ? 70 : 40, at: 1_754_683_200 + Int64(round)))
                        try await writer.commit(batch)
                    }
                    return []
                }
                group.addTask {
                    var counts: Set<String> = []
                    for _ in 0..<400 {
                        let rows = try await reader.query("SELECT count(*), count(DISTINCT snapshot_time) FROM \(schema.quoted).kalshi_positions")
                        counts.insert("\(rows.rows[0][0] ?? "?")/\(rows.rows[0][1] ?? "?")")
                    }
                    return counts
                }
                var all: Set<String> = []
                for try await s in group { all.formUnion(s) }
                return all
            }
            #expect(seen.isSubset(of: ["40/1", "70/1"]), "\(seen)")
            #expect(!seen.isEmpty)
            await reader.close()
            await writer.close()
        }
    }
}
