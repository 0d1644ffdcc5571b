import Foundation
import Testing
@testable import Migration
import ServiceKit
import StorageKit

@Suite("recioctl verify", .timeLimit(.minutes(3)))
struct VerifyTests {
    @Test func eachCheckFailsForItsReasonAndPassesAfterTheFix() async throws {
        try await withTemporaryDirectory { dir in
            let legacy = dir.appendingPathComponent("legacy")
            try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
            try await TestPostgres.withSchema { schema, conn in
                // Price history for one hour, with a 5-second gap.
                let from: Int64 = 1_764_000_000, to: Int64 = from + 3600
                let gap = (from + 100)...(from + 104)
                let writer = try PostgresWriter<PriceTick>(connection: PostgresConnection(configuration: try TestPostgres.configuration(), logger: TestPostgres.logger),
                                                           schema: schema, logger: TestPostgres.logger)
                try await writer.write((from..<to).filter { !gap.contains($0) }.map { PriceTick(second: $0, price: USDCents(cents: 6_400_000), source: .coinbaseWebSocket) })
                // Legacy files still on the runtime path; the ingest's fills.json written after the cutover.
                _ = FileManager.default.createFile(atPath: legacy.appendingPathComponent("btc_price_history.db").path, contents: Data())
                _ = FileManager.default.createFile(atPath: legacy.appendingPathComponent("fills.json").path, contents: Data("{\"fills\": []}".utf8))
                let cutover = Int64(Date().timeIntervalSince1970) - 3600

                let configURL = dir.appendingPathComponent("services.json")
                try writeServicesConfig(at: configURL, schema: schema.name, legacyDir: legacy)
                func verify() async throws -> VerificationReport {
                    let options = MigrationVerifier.Options(config: try ServicesConfig.load(path: configURL.path), continuityFrom: from, continuityTo: to,
                                                            cutover: cutover, runtimePaths: [legacy.path], postgresOverride: try TestPostgres.configuration())
                    return await MigrationVerifier(options: options, logger: TestPostgres.logger).run()
                }

                let failing = try await verify()
                #expect(!failing.ok)
                let c1 = try #require(failing.check("runtime_config"))
                #expect(c1.status == .fail)
                #expect(c1.evidence.contains { $0.hasPrefix("btc_price_watchdog") && $0.contains("names legacy store(s): SQLite") })
                #expect(c1.evidence.contains { $0.hasPrefix("live_data_analysis") && $0.contains("SQLite") })
                let c2 = try #require(failing.check("price_continuity"))
                #expect(c2.status == .fail)
                #expect(c2.evidence.contains("gap \(TimeArgument.format(from + 100)) … \(TimeArgument.format(from + 104)) (5 s)"))
                #expect(c2.evidence[0].contains("1 gap(s), 5 missing second(s)"))
                #expect(failing.check("snapshot_export")?.status == .skip)
                let c4 = try #require(failing.check("ingest_postgres_only"))
                #expect(c4.status == .fail)
                #expect(c4.evidence.contains { $0.contains("fills.json modified") && $0.contains("after the cutover") })
                let c5 = try #require(failing.check("no_legacy_files"))
                #expect(c5.status == .fail)
                #expect(c5.evidence.contains { $0.hasSuffix("legacy/btc_price_history.db") })
                #expect(failing.rendered().hasSuffix("verify: FAIL (0 pass, 4 fail, 1 skip)\n"))

                // The fixes: PostgreSQL-only config, the gap repaired, the legacy files gone.
                try writeServicesConfig(at: configURL, schema: schema.name, legacyDir: nil)
                try await writer.write(gap.map { PriceTick(second: $0, price: USDCents(cents: 6_400_000), source: .gapRepair) })
                try await writer.close()
                try FileManager.default.removeItem(at: legacy.appendingPathComponent("btc_price_history.db"))
                try FileManager.default.removeItem(at: legacy.appendingPathComponent("fills.json"))

                let passing = try await verify()
                #expect(passing.ok, "\(passing.rendered())")
                #expect(passing.checks.map(\.status) == [.pass, .pass, .skip, .pass, .pass])
                #expect(passing.check("price_continuity")?.evidence[0].contains("coverage 100.0000%") == true)
                _ = conn
            }
        }
    }

    /// Check 4 fails while the ingest still keeps the legacy JSON files as a shadow (the transition
    /// stage), and passes once the config is PostgreSQL only again.
    @Test func ingestCheckFailsWhileTheJSONShadowIsConfigured() async throws {
        try await withTemporaryDirectory { dir in
            let configURL = dir.appendingPathComponent("services.json")
            func check(ingest: String) throws -> VerificationReport.Check {
                try Data("""
                    {"postgres": {"conninfo": "", "schema": "user_0001"},
                     "services": {
                       "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres"},
                       "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres"},
                       "kalshi_historical_ingest": {\(ingest)},
                       "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}}}
                    """.utf8).write(to: configURL)
                let options = MigrationVerifier.Options(config: try ServicesConfig.load(path: configURL.path), continuityFrom: 0, continuityTo: 1)
                return MigrationVerifier(options: options, logger: TestPostgres.logger).ingestPostgresOnly()
            }
            let shadowed = try check(ingest: #""writers": ["postgres", "json"], "primary": "postgres", "json_dir": "\#(dir.path)""#)
            #expect(shadowed.status == .fail)
            #expect(shadowed.evidence.contains("kalshi_historical_ingest: writers postgres+json, primary postgres"), "\(shadowed.evidence)")
            #expect(shadowed.evidence.contains("its config still names a legacy store"))
            let postgresOnly = try check(ingest: #""writers": ["postgres"], "primary": "postgres""#)
            #expect(postgresOnly.status == .pass, "\(postgresOnly.evidence)")
        }
    }
}
