import Foundation
import Logging
import LiveAnalysis
import PriceAnalytics
import StorageKit

// live-analysis-benchmark [--days N] [--cycles N] [--schema NAME] [--reuse]
// Loads N days (default 730: two years, ~63 M rows) of 1-second prices into PostgreSQL with COPY,
// then measures the live analysis: start-up to first sample (connect + window load), steady-state
// cycle latency (one new row a second), and RSS. PostgreSQL from the PG* variables. Release build:
//   swift run -c release live-analysis-benchmark --days 730
var days: Int64 = 730, cycles = 600, schemaName = "bench_live_analysis", reuse = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let a = arguments.next() {
    switch a {
    case "--days": days = Int64(arguments.next() ?? "") ?? days
    case "--cycles": cycles = Int(arguments.next() ?? "") ?? cycles
    case "--schema": schemaName = arguments.next() ?? schemaName
    case "--reuse": reuse = true
    default: FileHandle.standardError.write(Data("unknown argument \(a)\n".utf8)); exit(64)
    }
}

var logger = Logger(label: "bench")
logger.logLevel = .warning
let end: Int64 = 1_795_564_800  // 2026-11-25T00:00:00Z
let start = end - days * 86_400
let schema = try PostgresIdentifier(schemaName)
let configuration = PostgresConfiguration(connectionString: "", applicationName: "live-analysis-benchmark")
let admin = PostgresConnection(configuration: configuration, logger: logger)

func rss() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.map { $0.dropFirst(6).trimmingCharacters(in: .whitespaces) } ?? "?"
}

/// The generated history (a type, so its functions are not main-actor isolated: COPY calls them
/// on the connection's executor).
enum BenchData {
    /// A cheap deterministic walk in cents.
    static func cents(_ second: Int64) -> Int64 {
        var z = UInt64(bitPattern: second) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return 6_500_000 + Int64(z % 20_001) - 10_000 + (second % 86_400) * 3
    }

    /// COPY rows for `from ..< to`.
    static func rows(from: Int64, to: Int64) -> [[String?]] {
        (from ..< to).map { [UTCTime.postgresText(epochSeconds: $0), USDCents(cents: cents($0)).description, "bench"] }
    }
}

let table = "\(schema.quoted).price_history"
let existing = reuse ? (try? await admin.query("SELECT count(*) FROM \(table)").scalar).flatMap { Int64($0) } : nil
if existing != days * 86_400 {
    let setup = ContinuousClock.now
    try await admin.execute("DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE")
    try await SchemaMigrator(schema: schema, logger: logger).migrate(on: admin)
    var month = PartitionMonth(epochSeconds: start)
    while month.startEpochSeconds < end + 86_400 * 31 {
        try await admin.ensureMonthlyPartitions(schema: schema, table: "price_history", months: [month])
        try await admin.ensureMonthlyPartitions(schema: schema, table: "live_analysis", months: [month])
        month = month.next
    }
    // One COPY per day keeps each statement bounded.
    var day = start
    while day < end {
        let rows = BenchData.rows(from: day, to: min(day + 86_400, end))
        try await admin.copyIn("COPY \(table) (ts, price, source) FROM STDIN", rows: rows)
        day += 86_400
        if (day - start) % (30 * 86_400) == 0 { print("loaded \((day - start) / 86_400) days") }
    }
    try await admin.execute("ANALYZE \(table)")
    print("setup: \(days * 86_400) rows in \(ContinuousClock.now - setup)")
}

// Start-up: a new reader connection, the window load, the first sample.
let t0 = ContinuousClock.now
let engine = LiveAnalysisEngine(analyzer: try Analyzer(), capacitySeconds: LiveAnalysisOptions().seriesCapacitySeconds, logger: logger)
await engine.install(try PostgresPriceHistoryReader(configuration: configuration, schema: schema, logger: logger))
let first = try await engine.cycle(now: end - 1)
let startup = ContinuousClock.now - t0
let rssAfterStart = rss()

// Steady state: a new row each cycle (inserted untimed), then one timed cycle.
var latencies: [Duration] = []
var fetched = 0
for i in 0 ..< Int64(cycles) {
    let s = end + i
    try await admin.execute("INSERT INTO \(table) (ts, price, source) VALUES ($1, $2, 'bench')",
                            [UTCTime.postgresText(epochSeconds: s), USDCents(cents: BenchData.cents(s)).description])
    let c0 = ContinuousClock.now
    let report = try await engine.cycle(now: s)
    latencies.append(ContinuousClock.now - c0)
    fetched += report.rowsFetched
}
try await admin.execute("DELETE FROM \(table) WHERE ts >= $1", [UTCTime.postgresText(epochSeconds: end)])
latencies.sort()
func ms(_ d: Duration) -> String { String(format: "%.3f ms", Double(d / .microseconds(1)) / 1000) }
func pct(_ sorted: [Duration], _ p: Double) -> Duration { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
print("""

    live-analysis benchmark: \(days) days = \(days * 86_400) rows in \(schema.name).price_history
    | metric                          | value |
    |---------------------------------|-------|
    | start-up to first sample        | \(ms(startup)) (\(first.rowsFetched) rows loaded) |
    | cycle latency p50 (\(cycles) cycles) | \(ms(pct(latencies, 0.50))) |
    | cycle latency p99               | \(ms(pct(latencies, 0.99))) |
    | cycle latency max               | \(ms(latencies.last!)) |
    | rows fetched per cycle          | \(String(format: "%.2f", Double(fetched) / Double(cycles))) |
    | RSS after start-up              | \(rssAfterStart) |
    | RSS at end                      | \(rss()) |
    """)
await engine.close()
await admin.close()
