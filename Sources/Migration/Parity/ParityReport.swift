import StorageKit

/// The result of a parity run, printable as a table or as JSON.
public struct ParityReport: Codable, Sendable {
    /// A bucket's comparison outcome.
    public enum BucketStatus: String, Codable, Sendable {
        case ok = "OK"
        case countDiffers = "count differs"
        case hashDiffers = "hash differs"
    }

    /// Consecutive buckets with the same outcome.
    public struct BucketRange: Codable, Sendable, Equatable {
        public var from: Int64
        public var to: Int64
        public var buckets: Int
        public var legacyRows: Int
        public var postgresRows: Int
        public var status: BucketStatus
        /// For a differing range: whether every difference in it is a known legacy artefact.
        public var explained: Bool
    }

    /// Why rows differ.
    public enum DifferenceKind: String, Codable, Sendable {
        case missingInPostgres = "missing in postgres"
        case missingInLegacy = "missing in legacy"
        case valueDiffers = "value differs"
    }

    /// Known legacy artefacts: differences that are expected and not mismatches.
    public enum Artefact: String, Codable, Sendable, CaseIterable {
        /// A row of the ambiguous autumn fall-back hour.
        case fallBackHour = "fall_back_hour"
        /// A PostgreSQL row older than the legacy file's retention horizon (its 30-day trim).
        case legacyTrimmed = "legacy_trimmed"
        /// A second the legacy never wrote (no tick then; PostgreSQL carried the price forward or repaired a gap).
        case neverWrittenByLegacy = "never_written_by_legacy"
    }

    /// One row that differs.
    public struct RowDifference: Codable, Sendable, Equatable {
        public var second: Int64
        public var time: String
        public var kind: DifferenceKind
        /// What tells rows of one second apart (the market ticker of a snapshot); `nil` for price history.
        public var key: String?
        /// The legacy row's price (for other datasets: its canonical value).
        public var legacyPrice: String?
        /// PostgreSQL's row's price (for other datasets: its canonical value).
        public var postgresPrice: String?
        public var postgresSource: String?
        /// Set when the difference is a known legacy artefact.
        public var artefact: Artefact?
    }

    public var dataset = "price_history"
    public var legacyPath: String
    public var postgresTable: String
    public var from: Int64
    public var to: Int64
    public var bucketSeconds: Int64
    public var ranges: [BucketRange] = []
    /// Unexplained differences (up to the listing limit).
    public var mismatches: [RowDifference] = []
    /// Explained differences (up to the listing limit).
    public var artefacts: [RowDifference] = []
    public var mismatchCount = 0
    public var artefactCounts: [String: Int] = [:]
    public var legacyRows = 0
    public var postgresRows = 0
    public var buckets = 0
    public var okBuckets = 0
    public var countDifferBuckets = 0
    public var hashDifferBuckets = 0
    /// Legacy rows in the window's key range that are not prices (the backfill rejected them).
    public var legacyRejectedRows = 0
    /// Legacy rows read with the fall-back (EST) rule.
    public var fallBackRuleApplied = 0
    /// The legacy file's first row: PostgreSQL rows before it are `legacy_trimmed`.
    public var legacyHorizon: Int64?
    public var elapsedSeconds = 0.0

    /// No unexplained difference.
    public var ok: Bool { mismatchCount == 0 }

    /// The human form.
    public func rendered() -> String {
        func t(_ s: Int64) -> String { UTCTime.iso8601(epochSeconds: s) }
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            s.count >= n ? s : (right ? String(repeating: " ", count: n - s.count) + s : s + String(repeating: " ", count: n - s.count))
        }
        var out = "parity \(dataset): legacy \(legacyPath) vs postgres \(postgresTable)\n"
        out += "window \(t(from)) … \(t(to)), buckets of \(bucketSeconds) s\n\n"
        out += pad("FROM", 22) + pad("TO", 22) + pad("BUCKETS", 8, right: true) + pad("LEGACY", 10, right: true) + pad("POSTGRES", 10, right: true) + "  STATUS\n"
        for r in ranges {
            var status = r.status.rawValue
            if r.status != .ok { status += r.explained ? " (known legacy artefacts)" : "" }
            out += pad(t(r.from), 22) + pad(t(r.to), 22) + pad(String(r.buckets), 8, right: true) + pad(String(r.legacyRows), 10, right: true)
                + pad(String(r.postgresRows), 10, right: true) + "  " + status + "\n"
        }
        func line(_ d: RowDifference) -> String {
            var s = "  \(d.time)" + (d.key.map { "  \($0)" } ?? "") + "  \(d.kind.rawValue)"
            if let p = d.legacyPrice { s += "  legacy \(p)" }
            if let p = d.postgresPrice { s += "  postgres \(p) (\(d.postgresSource ?? "?"))" }
            if let a = d.artefact { s += "  [\(a.rawValue)]" }
            return s + "\n"
        }
        if !mismatches.isEmpty {
            out += "\nmismatches (\(mismatchCount)\(mismatchCount > mismatches.count ? ", first \(mismatches.count) listed" : "")):\n"
            mismatches.forEach { out += line($0) }
        }
        let artefactTotal = artefactCounts.values.reduce(0, +)
        out += "\nknown legacy artefacts: " + (artefactTotal == 0 ? "none" : Artefact.allCases.compactMap { a in
            artefactCounts[a.rawValue].map { "\(a.rawValue) \($0)" }
        }.joined(separator: ", ")) + "\n"
        if dataset == "price_history" {
            if let h = legacyHorizon { out += "legacy retention horizon (first legacy row): \(t(h))\n" }
            out += "legacy rows that are not prices (see the backfill reject file): \(legacyRejectedRows)\n"
            out += "legacy rows read with the fall-back (EST) rule: \(fallBackRuleApplied)\n"
        } else {
            out += "legacy lines that are not records (see the backfill reject file): \(legacyRejectedRows)\n"
        }
        out += "totals: legacy \(legacyRows) rows, postgres \(postgresRows) rows; \(buckets) buckets: \(okBuckets) OK, "
            + "\(countDifferBuckets) count differs, \(hashDifferBuckets) hash differs; \(mismatchCount) unexplained difference(s); "
            + String(format: "%.2f s", elapsedSeconds) + "\n"
        out += ok ? "parity: OK\n" : "parity: FAILED (\(mismatchCount) unexplained difference(s))\n"
        return out
    }
}

import Foundation
