import FixtureServers
import Foundation
import Testing
import StorageKit
@testable import KalshiKit

/// A running `kalshi-historical-ingest` (the real binary, cycles every 10 s, against the signing
/// fixture server where a new fill and settlement appear every second) reloaded by SIGHUP twice:
/// once to add the legacy JSON shadow, once to remove it. The files appear and grow after the add,
/// hold everything committed while the shadow was configured, stop changing after the removal,
/// and PostgreSQL keeps every row exactly once, with no gap, across both reloads.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct IngestShadowReloadTests {
    static func options(_ server: FixtureServer, keys: IngestTestKeys) -> String {
        """
        {"base_url": "\(KalshiHistoryFixture.baseURL(server))", "series": ["KXBTCD"], "start_date": "2025-08-01",
         "markets": false, "interval_seconds": 10, "page_limit": 4, "key_id": "\(IngestTestKeys.keyID)",
         "private_key_file": "\(keys.privateKeyPath.path)", "reads_per_second": 5000, "max_attempts": 6, "request_timeout_ms": 5000}
        """
    }

    /// A stream's checkpoint watermark (the end of its last finished pass), if any.
    static func fillsWatermark(_ conn: PostgresConnection, _ schema: PostgresIdentifier, stream: String = "fills") async throws -> Int64? {
        let rows = try await conn.query("SELECT watermark FROM \(schema.quoted).ingest_checkpoints WHERE stream = $1", [stream])
        return rows.rows.first?.first.flatMap { $0.flatMap { Int64($0) } }
    }

    /// Polls `condition` every 200 ms until it holds; records an issue naming `what` after `limit`.
    @discardableResult
    static func waitUntil(_ what: String, limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(what)")
        return false
    }

    /// The fills (by index, from `fill-trade-K`) and settlements (by index, from the settlement time)
    /// stored in PostgreSQL, with the count of rows (to see a duplicate, were the keys not unique).
    static func stored(_ conn: PostgresConnection, _ schema: PostgresIdentifier, _ d: KalshiHistoryDataset)
        async throws -> (fills: [Int], settlements: [Int], rows: Int) {
        let fills = try await conn.query("SELECT trade_id FROM \(schema.quoted).kalshi_fills")
        let settlements = try await conn.query("SELECT extract(epoch FROM settled_time)::bigint FROM \(schema.quoted).kalshi_settlements")
        let f = fills.rows.compactMap { $0[0].flatMap { Int($0.dropFirst("fill-trade-".count)) } }
        let s = settlements.rows.compactMap { $0[0].flatMap { Int64($0) }.map { Int(($0 - d.accountStart) / d.settlementSpacingSeconds) } }
        return (f.sorted(), s.sorted(), fills.rows.count + settlements.rows.count)
    }

    /// The indices in `fills.json` and `settlements.json` (empty when a file does not exist), in file order.
    static func shadowed(_ legacy: URL, _ d: KalshiHistoryDataset) throws -> (fills: [Int], settlements: [Int]) {
        func items(_ name: String, _ member: String) throws -> [OrderedJSON] {
            let url = legacy.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return [] }
            return try IngestJSONShadowTests.items(url, member)
        }
        let fills = try items("fills.json", "fills").compactMap { $0["trade_id"]?.stringValue.flatMap { Int($0.dropFirst("fill-trade-".count)) } }
        let settlements = try items("settlements.json", "settlements").compactMap {
            $0["settled_time"]?.stringValue.flatMap(UTCTime.parseEpochSeconds).map { Int(($0 - d.accountStart) / d.settlementSpacingSeconds) }
        }
        return (fills, settlements)
    }

    static func bytes(_ legacy: URL) -> [Data?] {
        ["fills.json", "settlements.json"].map { try? Data(contentsOf: legacy.appendingPathComponent($0)) }
    }

    @Test func addingAndRemovingTheJSONShadowByReload() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            // A fill and a settlement every second from 20 s ago on (all after the trades cutoff,
            // so on the live lists), enough for 15 minutes.
            let now = Int64(Date().timeIntervalSince1970)
            let d = KalshiHistoryDataset(markets: 1, tradesPerMarket: 1, fills: 900, settlements: 900, positions: 2,
                                         accountStart: now - 20, tradesCutoff: now - 30, fillSpacingSeconds: 1, settlementSpacingSeconds: 1)
            let harness = try await IngestHarness.start(d, keys: keys, faults: .init(rateLimitEvery: 11))
            let legacy = dir.appendingPathComponent("legacy")
            try await TestPostgres.withSchema(.migrated) { schema, conn in
                let config = dir.appendingPathComponent("services.json")
                let options = Self.options(harness.server, keys: keys)
                try IngestProcessTests.writeConfig(config, schema: schema.name, options: options)
                let daemon = try ProductDaemon("kalshi-historical-ingest", config: config, directory: dir,
                                               environment: ["RECIO_LOG_LEVEL": "notice"])
                func reload(_ phase: Int) async throws {
                    daemon.notifications.phase = phase
                    kill(daemon.process.processIdentifier, SIGHUP)
                    try await Self.waitUntil("READY=1 after reload \(phase)") { daemon.notifications.count(containing: "READY=1", phase: phase) > 0 }
                    #expect(daemon.notifications.count(containing: "RELOADING=1", phase: phase) == 1)
                }
                /// Waits for the `fills` and `settlements` passes of a cycle after `previous` to finish (both
                /// end at the cycle's start time); returns that watermark.
                func nextCycle(after previous: Int64?) async throws -> Int64 {
                    var seen: Int64?
                    try await Self.waitUntil("a cycle after \(previous.map(String.init) ?? "none")") {
                        seen = try await Self.fillsWatermark(conn, schema)
                        let settlements = try await Self.fillsWatermark(conn, schema, stream: "settlements")
                        return seen != nil && seen != previous && settlements == seen
                    }
                    return try #require(seen)
                }

                // PostgreSQL only: a cycle stores fills, no JSON file is written.
                try await Self.waitUntil("READY=1") { daemon.notifications.count(containing: "READY=1") > 0 }
                let w1 = try await nextCycle(after: nil)
                #expect(try await Self.stored(conn, schema, d).fills.count > 0)
                #expect(!FileManager.default.fileExists(atPath: legacy.path), "no shadow is configured yet")

                // Reload 1 adds the shadow. A pass under way during the reload may hand only its later
                // pages to it; every pass that starts after the reload hands it all its rows.
                try IngestProcessTests.writeConfig(config, schema: schema.name, options: options,
                                                   stores: IngestJSONShadowTests.shadowStores(legacy.path))
                try await reload(1)
                let added = try #require(try await Self.fillsWatermark(conn, schema))
                let w2 = try await nextCycle(after: added)
                try await Self.waitUntil("fills.json and settlements.json after the add") {
                    let s = try Self.shadowed(legacy, d)
                    return !s.fills.isEmpty && !s.settlements.isEmpty
                }
                let afterFirst = try Self.shadowed(legacy, d)
                let w3 = try await nextCycle(after: w2)
                var expected: (fills: [Int], settlements: [Int]) = ([], [])
                try await Self.waitUntil("the files to hold every row of the next whole pass") {
                    let pg = try await Self.stored(conn, schema, d), s = try Self.shadowed(legacy, d)
                    expected = (pg.fills.filter { d.fillTime($0) > w2 && d.fillTime($0) <= w3 },
                                pg.settlements.filter { d.settlementTime(account: $0) > w2 && d.settlementTime(account: $0) <= w3 })
                    return Set(expected.fills).isSubset(of: Set(s.fills)) && Set(expected.settlements).isSubset(of: Set(s.settlements))
                }
                #expect(!expected.fills.isEmpty && !expected.settlements.isEmpty)
                let afterSecond = try Self.shadowed(legacy, d)
                #expect(afterSecond.fills.count > afterFirst.fills.count && afterSecond.settlements.count > afterFirst.settlements.count,
                        "the files grew with the next cycle")
                // The first cycle's rows (committed before the add) are not in the files; the last
                // second of its window is fetched again by the next pass (its lower bound is inclusive).
                #expect(!afterSecond.fills.contains { d.fillTime($0) < w1 }, "fills.json holds a fill committed before the shadow was added")

                // Reload 2 removes it: the old shadow is flushed and closed, and the files do not change again.
                try IngestProcessTests.writeConfig(config, schema: schema.name, options: options)
                try await reload(2)
                let removed = try #require(try await Self.fillsWatermark(conn, schema))
                let frozen = Self.bytes(legacy)
                let shadow = try Self.shadowed(legacy, d)
                #expect(Set(expected.fills).isSubset(of: Set(shadow.fills)) && Set(expected.settlements).isSubset(of: Set(shadow.settlements)))

                let w5 = try await nextCycle(after: try await nextCycle(after: removed))
                try await Task.sleep(for: .seconds(1))
                #expect(Self.bytes(legacy) == frozen, "a JSON file changed after the shadow was removed")
                #expect(try await Self.stored(conn, schema, d).fills.contains { d.fillTime($0) > removed }, "cycles after the removal stored new fills")

                #expect(await daemon.terminate() == 0, "\(daemon.log.suffix(2_000))")

                // PostgreSQL: every fill and settlement from the first on, each exactly once, with no
                // gap, up to at least the last finished pass (SIGTERM may have cut a later pass after
                // some of its pages).
                let final = try await Self.stored(conn, schema, d)
                let fillsEnd = try #require(try await Self.fillsWatermark(conn, schema))
                let settlementsEnd = try #require(try await Self.fillsWatermark(conn, schema, stream: "settlements"))
                #expect(fillsEnd >= w5)
                #expect(final.fills == Array(0..<final.fills.count), "fills: a gap or a duplicate")
                #expect(final.settlements == Array(0..<final.settlements.count), "settlements: a gap or a duplicate")
                #expect(final.fills.count >= (0..<d.fills).filter { d.fillTime($0) <= fillsEnd }.count)
                #expect(final.settlements.count >= (0..<d.settlements).filter { d.settlementTime(account: $0) <= settlementsEnd }.count)
                #expect(final.rows == final.fills.count + final.settlements.count)
                // The files: each object once, every one of them also in PostgreSQL, no temporary file left.
                let files = try Self.shadowed(legacy, d)
                #expect(Set(files.fills).count == files.fills.count, "a fill twice in fills.json")
                #expect(Set(files.settlements).count == files.settlements.count, "a settlement twice in settlements.json")
                #expect(Set(files.fills).isSubset(of: Set(final.fills)) && Set(files.settlements).isSubset(of: Set(final.settlements)))
                #expect(try FileManager.default.contentsOfDirectory(atPath: legacy.path).sorted() == ["fills.json", "settlements.json"])
                #expect(!daemon.log.contains("<3>"), "\(daemon.log.suffix(2_000))")
            }
            await harness.server.shutdown()
        }
    }
}
