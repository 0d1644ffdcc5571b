import Foundation
import Testing
@testable import PriceAnalytics

/// Every figure at every second of a synthetic 2-hour series with gaps, against an independent
/// numpy implementation (`Oracle/analytics_oracle.py`). Fails — never skips — when python3 or
/// numpy is missing.
@Suite struct OracleTests {
    static let start: Int64 = 1_717_241_777  // not on a minute or hour boundary
    static let seconds: Int64 = 7_200
    /// 1 s, 30 s and 5 min holes, one more 1 s hole, and a 12 s one (longer than the stale threshold).
    static let gaps: [(offset: Int64, length: Int64)] = [(500, 1), (1_999, 30), (3_000, 300), (3_700, 1), (5_000, 12), (6_100, 300)]

    @Test(.timeLimit(.minutes(5)))
    func everyFigureAgreesWithTheNumpyOracle() throws {
        let points = SyntheticSeries.randomWalk(seed: 20_240_601, start: Self.start, seconds: Self.seconds, gaps: Self.gaps)
        let last = Self.start + Self.seconds + 20  // run past the end: stale samples with no new price
        let oracle = try Self.runOracle(points, from: Self.start - 2, to: last)
        try #require(oracle.count == Int(last - Self.start + 3))

        let analyzer = try Analyzer()
        var series = PriceSeries()
        var streaming = OneMinuteAverage()
        var next = 0
        var mismatches: [String] = []
        var compared = 0
        func check(_ name: String, _ t: Int64, _ swift: Double?, _ python: Double?) {
            compared += 1
            switch (swift, python) {
            case (nil, nil): return
            case let (s?, p?) where abs(s - p) <= max(1e-9 * abs(p), 1e-12): return
            default: mismatches.append("\(name) at \(t): swift \(swift.map { "\($0)" } ?? "nil"), numpy \(python.map { "\($0)" } ?? "nil")")
            }
        }
        var present: [String: Int] = [:]  // how often each figure was non-nil, to show the test compared numbers
        for row in oracle {
            let t = try #require(Int64(row["second"]!))
            if next < points.count, points[next].second == t {
                series.append(second: t, cents: points[next].cents)
                next += 1
            }
            let sample = analyzer.sample(at: t, in: series)
            check("price", t, sample.price.map { Double($0.cents) }, Double(row["price"]!))
            check("price_second", t, sample.price.map { Double($0.second) }, Double(row["price_second"]!))
            for m in analyzer.configuration.deltaMinutes { check("delta_\(m)m", t, sample.delta(minutes: m), Double(row["delta_\(m)m"]!)) }
            check("momentum", t, sample.momentum, Double(row["momentum"]!))
            let kind: String = switch sample.oneMinuteAverage?.basis {
            case .window: "w"
            case .latestEarlier: "l"
            case .none?, nil: "n"
            }
            if kind != row["oma_kind"] { mismatches.append("one_minute_avg basis at \(t): swift \(kind), numpy \(row["oma_kind"]!)") }
            check("one_minute_avg", t, sample.oneMinuteAverage?.cents, Double(row["oma_cents"]!))
            let acc = streaming.average(at: t)
            if acc != sample.oneMinuteAverage { mismatches.append("streaming one_minute_avg at \(t): \(acc) vs \(String(describing: sample.oneMinuteAverage))") }
            if let p = series.price(at: t) { streaming.record(second: t, cents: p) }
            for v in sample.volatilities {
                check("volatility_\(v.windowSeconds)s", t, v.annualised, Double(row["vol_\(v.windowSeconds)"]!))
                check("returns_\(v.windowSeconds)s", t, Double(v.returnCount), Double(row["n_\(v.windowSeconds)"]!))
            }
            check("seconds_to_close", t, Double(sample.secondsToHourClose), Double(row["to_close"]!))
            check("age", t, sample.secondsSinceLastPrice.map(Double.init), Double(row["age"]!))
            check("stale", t, sample.stale ? 1 : 0, Double(row["stale"]!))
            let legacy = analyzer.legacyColumns(at: t, in: series)
            check("legacy momentum", t, legacy.momentum, Double(row["momentum"]!))
            check("legacy delta_30m", t, legacy.delta30m, Double(row["delta_30m"]!))
            for figure in ["momentum", "vol_60", "vol_3600", "delta_30m"] where row[figure] != "" { present[figure, default: 0] += 1 }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(compared) figures disagree; first: \(mismatches.prefix(20).joined(separator: "; "))")
        // The series must exercise both sides of every nil rule, or the comparison proves little.
        #expect(present["delta_30m", default: 0] > 5_000)
        #expect(present["vol_3600", default: 0] > 2_000)
        #expect(present["vol_60", default: 0] < oracle.count - 600)
    }

    /// Writes `points` as `second,cents`, runs the oracle over `from ... to`, returns its rows by column name.
    static func runOracle(_ points: [PricePoint], from: Int64, to: Int64) throws -> [[String: String]] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Oracle/analytics_oracle.py")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("price-analytics-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("prices.csv")
        let output = dir.appendingPathComponent("figures.csv")
        try ("second,cents\n" + points.map { "\($0.second),\($0.cents)\n" }.joined()).write(to: input, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--input", input.path, "--output", output.path, "--from", "\(from)", "--to", "\(to)"]
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the numpy oracle failed (python3 with numpy is required): \(errors)")

        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let header = try #require(lines.first).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }
}
