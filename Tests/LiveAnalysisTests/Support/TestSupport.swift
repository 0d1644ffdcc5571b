import Foundation
import Logging
import StorageKit

/// A quiet logger for the code under test.
let testLogger: Logger = {
    var logger = Logger(label: "recio.tests.live-analysis")
    logger.logLevel = .warning
    return logger
}()

/// A deterministic BTC-like random walk, one tick a second, with holes cut out.
enum SyntheticHistory {
    /// 2025-11-24T16:00:00Z, a Monday afternoon (no DST transition nearby).
    static let start: Int64 = 1_764_000_000

    static func ticks(seed: UInt64 = 7, start: Int64 = SyntheticHistory.start, seconds: Int64,
                      gaps: [(offset: Int64, length: Int64)] = []) -> [PriceTick] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var cents: Int64 = 6_543_210
        var ticks: [PriceTick] = []
        for i in 0 ..< seconds {
            let roll = next() % 100
            if roll >= 15 { cents += Int64(next() % 1801) - 900 }
            if roll >= 98 { cents += Int64(next() % 50_001) - 25_000 }
            cents = max(cents, 100_000)
            if gaps.contains(where: { i >= $0.offset && i < $0.offset + $0.length }) { continue }
            ticks.append(PriceTick(second: start + i, price: USDCents(cents: cents), source: .coinbaseWebSocket))
        }
        return ticks
    }
}

/// A price history reader over another that records what each call asked for and returned.
final class CountingReader: PriceHistoryReader, @unchecked Sendable {
    // Safe: every access to `calls` holds `lock`.
    private let lock = NSLock()
    private var calls: [(from: Int64, to: Int64, rows: Int)] = []
    let base: any PriceHistoryReader
    var name: String { base.name }

    init(_ base: any PriceHistoryReader) { self.base = base }

    var recorded: [(from: Int64, to: Int64, rows: Int)] { lock.withLock { calls } }
    func reset() { lock.withLock { calls.removeAll() } }

    func ticks(from: Int64, to: Int64) async throws -> [PriceTick] {
        let rows = try await base.ticks(from: from, to: to)
        lock.withLock { calls.append((from, to, rows.count)) }
        return rows
    }

    func latest() async throws -> PriceTick? { try await base.latest() }
    func close() async { await base.close() }
}

/// Writes `ticks` into a legacy `price_log` file (as the legacy watchdog layout) and a PostgreSQL
/// schema, in batches.
func loadHistory(_ ticks: [PriceTick], sqlitePath: String?, schema: PostgresIdentifier?) async throws {
    let last = ticks.last?.second ?? SyntheticHistory.start
    if let sqlitePath {
        // The legacy trim deletes rows 30 days older than "now": give it the history's own clock.
        let writer = try SQLiteWriter<PriceTick>(path: sqlitePath, clock: { Date(timeIntervalSince1970: TimeInterval(last)) }, logger: testLogger)
        for start in stride(from: 0, to: ticks.count, by: 5_000) {
            try await writer.write(Array(ticks[start ..< min(start + 5_000, ticks.count)]))
        }
        try await writer.close()
    }
    if let schema {
        let writer = try PostgresWriter<PriceTick>(connection: try TestPostgres.connection(), schema: schema, logger: testLogger)
        for start in stride(from: 0, to: ticks.count, by: 5_000) {
            try await writer.write(Array(ticks[start ..< min(start + 5_000, ticks.count)]))
        }
        try await writer.close()
    }
}
