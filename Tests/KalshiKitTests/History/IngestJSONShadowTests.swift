import FixtureServers
import Foundation
import Testing
import StorageKit
@testable import KalshiKit

/// The transition stage of the ingest: `"writers": ["postgres", "json"]` also keeps the legacy
/// `fills.json` and `settlements.json` (the real binary against the signing fixture server, real
/// files, real PostgreSQL), which `recioctl backfill account` reads back row for row; a failing
/// JSON shadow never fails the cycle; PostgreSQL stays the primary.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct IngestJSONShadowTests {
    static let dataset = KalshiHistoryDataset(markets: 3, marketLifeSeconds: 3600, tradesPerMarket: 9, fills: 37, settlements: 15, positions: 6)

    static func shadowStores(_ jsonDir: String) -> String {
        #""writers": ["postgres", "json"], "primary": "postgres", "json_dir": "\#(jsonDir)""#
    }

    static func items(_ url: URL, _ member: String) throws -> [OrderedJSON] {
        let document = try OrderedJSON.parse(try Data(contentsOf: url))
        guard case .object(let members) = document else { throw CocoaError(.fileReadCorruptFile) }
        #expect(members.map(\.key) == [member], "\(url.lastPathComponent) holds only its array")
        return try #require(document[member]?.arrayValue)
    }

    @Test func legacyFilesRoundTripThroughBackfillAccount() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let harness = try await IngestHarness.start(Self.dataset, keys: keys, faults: .init(rateLimitEvery: 9))
            let legacy = dir.appendingPathComponent("legacy")
            try await TestPostgres.withSchema(.migrated) { schema, conn in
                let config = dir.appendingPathComponent("services.json")
                try IngestProcessTests.writeConfig(config, schema: schema.name, options: IngestProcessTests.options(harness.server, keys: keys),
                                                   stores: Self.shadowStores(legacy.path))
                let check = try await ProductProcess.run("kalshi-historical-ingest", ["--config", config.path, "--check-config"])
                #expect(check.status == 0, "\(check.stderr)")
                #expect(check.stdout.contains("kalshi_fills: postgres+json (primary postgres)"), "\(check.stdout)")
                #expect(check.stdout.contains("kalshi_settlements: postgres+json (primary postgres)"), "\(check.stdout)")
                #expect(check.stdout.contains("kalshi_candlesticks: postgres (primary postgres)"), "\(check.stdout)")

                let first = try await ProductProcess.run("kalshi-historical-ingest", ["--config", config.path, "--once"],
                                                         environment: ["RECIO_LOG_LEVEL": "error"])
                #expect(first.status == 0, "\(first.stderr)")
                #expect(try await HistoryTables.counts(conn, schema) == HistoryTables.expected(Self.dataset))

                // The legacy layout: {"fills": [...]} and {"settlements": [...]}, indented as Python's
                // json.dump(indent=2), the objects as the API sent them; positions went to PostgreSQL only.
                let fillsURL = legacy.appendingPathComponent("fills.json"), settlementsURL = legacy.appendingPathComponent("settlements.json")
                let fills = try Self.items(fillsURL, "fills")
                let settlements = try Self.items(settlementsURL, "settlements")
                #expect(fills.count == Self.dataset.fills)
                #expect(settlements.count == Self.dataset.settlements)
                #expect(Set(fills.compactMap { $0["trade_id"]?.stringValue }).count == Self.dataset.fills)
                let stored = try await conn.query("SELECT trade_id FROM \(schema.quoted).kalshi_fills")
                #expect(Set(fills.compactMap { $0["trade_id"]?.stringValue }) == Set(stored.rows.compactMap { $0[0] }))
                // The objects as served, member order included.
                guard case .object(let firstMembers) = try #require(fills.first) else { throw CocoaError(.fileReadCorruptFile) }
                #expect(firstMembers.first?.key == "fill_id", "\(firstMembers.map(\.key))")
                let fillsText = try String(contentsOf: fillsURL, encoding: .utf8)
                #expect(fillsText.hasPrefix("{\n  \"fills\": [\n    {\n      \""), "\(fillsText.prefix(60))")
                #expect(!FileManager.default.fileExists(atPath: legacy.appendingPathComponent("positions.json").path))
                // Written atomically: no temporary file is left behind.
                #expect(try FileManager.default.contentsOfDirectory(atPath: legacy.path).sorted() == ["fills.json", "settlements.json"])

                // A second cycle finds nothing new: the files are byte for byte the same.
                let before = (try Data(contentsOf: fillsURL), try Data(contentsOf: settlementsURL))
                let second = try await ProductProcess.run("kalshi-historical-ingest", ["--config", config.path, "--once"],
                                                          environment: ["RECIO_LOG_LEVEL": "error"])
                #expect(second.status == 0, "\(second.stderr)")
                #expect(try Data(contentsOf: fillsURL) == before.0)
                #expect(try Data(contentsOf: settlementsURL) == before.1)

                // recioctl backfill account reads these files into a fresh schema: the same rows.
                try await TestPostgres.withSchema(.nameOnly) { fresh, _ in
                    let freshConfig = dir.appendingPathComponent("fresh.json")
                    try IngestProcessTests.writeConfig(freshConfig, schema: fresh.name, options: "{}")
                    let backfill = try await ProductProcess.run("recioctl", ["backfill", "account", "--config", freshConfig.path,
                                                                             "--from", legacy.path, "--reject-file", dir.appendingPathComponent("rejects").path])
                    #expect(backfill.status == 0, "\(backfill.stderr)")
                    let original = try await HistoryTables.dump(conn, schema), loaded = try await HistoryTables.dump(conn, fresh)
                    #expect(loaded["kalshi_fills"]?.count == Self.dataset.fills)
                    #expect(loaded["kalshi_fills"] == original["kalshi_fills"])
                    #expect(loaded["kalshi_settlements"]?.count == Self.dataset.settlements)
                    #expect(loaded["kalshi_settlements"] == original["kalshi_settlements"])
                }
            }
            await harness.server.shutdown()
        }
    }

    @Test func aFailingJSONShadowNeverFailsTheCycle() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let harness = try await IngestHarness.start(Self.dataset, keys: keys)
            // The JSON folder cannot be created: a regular file stands where its parent should be.
            let blocker = dir.appendingPathComponent("blocker")
            try Data("not a folder".utf8).write(to: blocker)
            try await TestPostgres.withSchema(.migrated) { schema, conn in
                let config = dir.appendingPathComponent("services.json")
                try IngestProcessTests.writeConfig(config, schema: schema.name, options: IngestProcessTests.options(harness.server, keys: keys),
                                                   stores: Self.shadowStores(blocker.appendingPathComponent("legacy").path))
                let run = try await ProductProcess.run("kalshi-historical-ingest", ["--config", config.path, "--once"],
                                                       environment: ["RECIO_LOG_LEVEL": "error"])
                #expect(run.status == 0, "\(run.stderr)")
                #expect(try await HistoryTables.counts(conn, schema) == HistoryTables.expected(Self.dataset))
                // The shadow kept retrying in the background and reported what it could not take.
                #expect(run.stderr.contains("shadow closed with records it could not take"), "\(run.stderr)")
            }
            await harness.server.shutdown()
        }
    }

    @Test func postgresStaysThePrimaryAndSQLiteIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let config = dir.appendingPathComponent("services.json")
            let options = #"{"account": false}"#
            let cases: [(String, String)] = [
                (#""writers": ["postgres", "json"], "primary": "json", "json_dir": "/var/lib/recio/legacy""#, "$.services.kalshi_historical_ingest.primary"),
                (#""writers": ["postgres", "sqlite"], "primary": "postgres", "sqlite_path": "/var/lib/recio/legacy/x.db""#, "$.services.kalshi_historical_ingest.writers"),
                (#""writers": ["json"], "primary": "json", "json_dir": "/var/lib/recio/legacy""#, "$.services.kalshi_historical_ingest.writers"),
            ]
            for (stores, path) in cases {
                try IngestProcessTests.writeConfig(config, schema: "user_0001", options: options, stores: stores)
                let result = try await ProductProcess.run("kalshi-historical-ingest", ["--config", config.path, "--check-config"])
                #expect(result.status == 78, "\(stores): \(result.stdout) \(result.stderr)")
                #expect(result.stderr.contains(path), "\(result.stderr)")
            }
            // The shipped default: PostgreSQL only, no shadow.
            try IngestProcessTests.writeConfig(config, schema: "user_0001", options: options)
            let result = try await ProductProcess.run("kalshi-historical-ingest", ["--config", config.path, "--check-config"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("kalshi_fills: postgres (primary postgres)"), "\(result.stdout)")
        }
    }
}
