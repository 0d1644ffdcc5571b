import Foundation
import Testing
import PriceAnalytics
import ServiceKit
import StorageKit
@testable import LiveAnalysis

@Suite struct LiveAnalysisOptionsTests {
    static func parse(_ json: String) throws -> LiveAnalysisOptions {
        try LiveAnalysisOptions.parse(try JSONValue.parse(Data(json.utf8)), file: "/etc/recio/services.json")
    }

    @Test func defaultsAndOverrides() throws {
        let defaults = try Self.parse("{}")
        #expect(defaults.analyzer == AnalyzerConfiguration())
        #expect(defaults.cycleInterval == .seconds(1))
        let custom = try Self.parse("""
            {"momentum_weights": [1, 0, 0, 0, 0, 0.5], "volatility_windows_seconds": [30, 120],
             "stale_after_seconds": 5, "cycle_interval_ms": 500}
            """)
        #expect(custom.analyzer.momentumWeights == [1, 0, 0, 0, 0, 0.5])
        #expect(custom.analyzer.volatilityWindows == [30, 120])
        #expect(custom.analyzer.staleAfterSeconds == 5)
        #expect(custom.cycleInterval == .milliseconds(500))
        #expect(custom.seriesCapacitySeconds == 30 * 60 + 1 + 300)
    }

    @Test(arguments: [
        (#"{"stale_after": 5}"#, "$.services.live_data_analysis.options.stale_after"),
        (#"{"momentum_weights": [1, 2]}"#, "$.services.live_data_analysis.options.momentum_weights"),
        (#"{"momentum_weights": [0, 0, 0, 0, 0, 0]}"#, "$.services.live_data_analysis.options.momentum_weights"),
        (#"{"momentum_weights": [1, 1, 1, 1, 1, "x"]}"#, "$.services.live_data_analysis.options.momentum_weights[5]"),
        (#"{"volatility_windows_seconds": [60, 60]}"#, "$.services.live_data_analysis.options.volatility_windows_seconds"),
        (#"{"volatility_windows_seconds": [1]}"#, "$.services.live_data_analysis.options.volatility_windows_seconds[0]"),
        (#"{"stale_after_seconds": 0}"#, "$.services.live_data_analysis.options.stale_after_seconds"),
        (#"{"cycle_interval_ms": 1.5}"#, "$.services.live_data_analysis.options.cycle_interval_ms"),
    ])
    func badOptionsNameTheKey(json: String, path: String) throws {
        let error = #expect(throws: ConfigError.self) { try Self.parse(json) }
        #expect(error?.path == path)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct AnalysisSampleRecordTests {
    static func record() throws -> AnalysisSampleRecord {
        var series = PriceSeries()
        for tick in SyntheticHistory.ticks(seconds: 3_700, gaps: [(3_650, 3)]) { series.append(second: tick.second, cents: tick.price.cents) }
        let sample = try Analyzer().sample(at: SyntheticHistory.start + 3_699, in: series)
        return AnalysisSampleRecord(sample)
    }

    @Test func postgresRoundTripIsExact() async throws {
        let full = try Self.record()
        var empty = AnalysisSampleRecord(try Analyzer().sample(at: SyntheticHistory.start, in: PriceSeries()))
        empty.second += 1
        #expect(full.volatility(windowSeconds: 3_600) != nil && full.delta30m != nil)
        #expect(empty.price == nil && empty.volatility.allSatisfy { $0.annualised == nil } && empty.stale)
        try await TestPostgres.withSchema { schema, connection in
            let writer = try PostgresWriter<AnalysisSampleRecord>(connection: try TestPostgres.connection(), schema: schema, logger: testLogger)
            try await writer.write([full, empty])
            try await writer.write([full])  // idempotent by second
            try await writer.close()
            let reader = try PostgresRecordReader<AnalysisSampleRecord>(connection: connection, schema: schema)
            let back = try await reader.records(from: SyntheticHistory.start - 10, to: SyntheticHistory.start + 10_000)
            #expect(back == [empty, full])
            let v = try await connection.query("SELECT (volatility->>'3600')::float8, price::text FROM \(schema.quoted).live_analysis WHERE ts = $1",
                                               [UTCTime.postgresText(epochSeconds: full.second)])
            #expect(v.rows.first?[0].flatMap(Double.init) == full.volatility(windowSeconds: 3_600))
            #expect(v.rows.first?[1] == full.price?.description)
        }
    }

    @Test func latestFileRoundTrips() throws {
        let record = try Self.record()
        let data = try AnalysisSampleRecord.json!.latest!.contents(record)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"price\" : \"\(record.price!.description)\""))
        #expect(text.contains("\"3600\" :"))
        #expect(AnalysisSampleRecord.json!.latest!.fileName(record) == "live_analysis_latest.json")
        #expect(try JSONDecoder().decode(AnalysisSampleRecord.self, from: data) == record)
    }
}
