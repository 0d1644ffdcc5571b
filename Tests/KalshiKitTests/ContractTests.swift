import Foundation
import Testing
import StorageKit
@testable import KalshiKit

/// The fixture payloads are checked against the real Kalshi OpenAPI spec by
/// `Contract/validate_fixtures.py` (PyYAML, openapi-schema-validator, jsonschema), so the fixtures
/// cannot drift from the API. The spec is `../shared/reference/kalshi-openapi.yaml` beside the
/// checkout (override with `KALSHI_OPENAPI_SPEC`); a missing spec, Python or package FAILS the test.
@Suite(.timeLimit(.minutes(2)))
struct ContractTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repository = here.deletingLastPathComponent().deletingLastPathComponent()
    static let helper = here.appendingPathComponent("Contract/validate_fixtures.py")

    static func specPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["KALSHI_OPENAPI_SPEC"], !path.isEmpty {
            try #require(FileManager.default.fileExists(atPath: path), "KALSHI_OPENAPI_SPEC names \(path), which does not exist")
            return path
        }
        let path = repository.appendingPathComponent("../shared/reference/kalshi-openapi.yaml").standardizedFileURL.path
        try #require(FileManager.default.fileExists(atPath: path),
                     "the Kalshi OpenAPI spec is missing: expected ../shared/reference/kalshi-openapi.yaml beside the checkout (\(path)), or set KALSHI_OPENAPI_SPEC")
        return path
    }

    /// Every payload the Kalshi tests serve, by fixture file name.
    static func payloads() -> [(String, String)] {
        let event = EventTicker(series: "KXBTCD", at: 1_754_683_200)
        let range = EventTicker(series: "KXBTC", at: 1_762_063_200)
        return [
            ("event-fixed-point.json", KalshiFixtures.eventResponse(event, markets: 3, form: .fixedPoint)),
            ("event-both-forms.json", KalshiFixtures.eventResponse(event, markets: 3, form: .both)),
            ("event-forty-markets.json", KalshiFixtures.eventResponse(range, markets: 40, form: .fixedPoint)),
            ("event-no-markets.json", KalshiFixtures.eventResponse(event, markets: 0)),
            ("legacy-event-integer-cents.json", KalshiFixtures.eventResponse(event, markets: 3, form: .legacyCents)),
            ("error-not-found.json", KalshiFixtures.errorObject(code: "not_found", message: "event not found")),
            ("error-rate-limited.json", KalshiFixtures.errorObject(code: "too_many_requests", message: "slow down")),
        ]
    }

    static func validate(_ files: [(String, String)]) async throws -> (status: Int32, output: String) {
        let spec = try specPath()
        return try await withTemporaryDirectory { dir in
            var paths: [String] = []
            for (name, text) in files {
                let url = dir.appendingPathComponent(name)
                try Data(text.utf8).write(to: url)
                paths.append(url.path)
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", helper.path, spec] + paths
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let data = await Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    @Test func fixturesMatchTheRealSchema() async throws {
        let files = Self.payloads()
        let result = try await Self.validate(files)
        #expect(!result.output.contains("MISSING PACKAGE"), "\(result.output)")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.split(separator: "\n").filter { $0.hasPrefix("OK ") }.count == files.count, "\(result.output)")
    }

    /// The validator is not a rubber stamp: drifted payloads fail.
    @Test func driftedPayloadsFail() async throws {
        let event = EventTicker(series: "KXBTCD", at: 1_754_683_200)
        let good = KalshiFixtures.eventResponse(event, markets: 1)
        let drifted = [
            ("event-renamed-member.json", good.replacingOccurrences(of: "\"yes_bid_dollars\"", with: "\"yes_bid_dollar\"")),
            ("event-wrong-type.json", good.replacingOccurrences(of: "\"settlement_timer_seconds\": 60", with: "\"settlement_timer_seconds\": \"60\"")),
            ("event-bad-status.json", good.replacingOccurrences(of: "\"status\": \"active\"", with: "\"status\": \"open\"")),
            ("legacy-event-with-fixed-point.json", KalshiFixtures.eventResponse(event, markets: 1, form: .both)),
        ]
        let result = try await Self.validate(drifted)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.split(separator: "\n").filter { $0.hasPrefix("FAIL ") }.count == drifted.count, "\(result.output)")
    }
}
