/// One side of a parity run (a legacy store, or PostgreSQL) for one dataset. The engine
/// (`ParityEngine`) only sees checksums per time segment and, for small ranges, rows; each dataset
/// supplies a pair of sides that encode their rows the same canonical way.
protocol ParitySide: Sendable {
    /// The file, folder or table compared (for the report).
    var name: String { get }
    /// The first and last instant stored (`nil` when empty).
    func span() async throws -> (first: Int64, last: Int64)?
    /// Checksums per segment `k` = `[origin + k·step, origin + (k+1)·step)` of the rows in `[from, to)`.
    func scan(from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> ParityScan
    /// The rows of `[from, to)`, ascending by `(second, key)`.
    func rows(from: Int64, to: Int64) async throws -> [ParityRow]
}

/// The checksums of one scan, and what the side could not read.
struct ParityScan: Sendable {
    var segments: [Int64: SegmentChecksum] = [:]
    /// Rows in the scanned range that are not valid records (reported, not compared).
    var rejected = 0
    /// Rows read by a documented rule for ambiguous legacy data (the fall-back hour).
    var ambiguous = 0
}

/// One row as parity compares it: its instant, what tells rows of one instant apart (a market
/// ticker; empty for price history), and its canonical value.
struct ParityRow: Sendable, Equatable {
    var second: Int64
    var key: String
    var value: String
    /// Where PostgreSQL's row came from (its `source` column), when the table has one.
    var source: String?

    static func < (a: ParityRow, b: ParityRow) -> Bool { (a.second, a.key) < (b.second, b.key) }
}
