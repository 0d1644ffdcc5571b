import Foundation
import StorageKit

/// The one parity engine, for every dataset: a legacy side and a PostgreSQL side
/// (`ParitySide`) produce, per bucket, a row count and an order-independent checksum of their
/// canonical rows, concurrently. A bucket that differs is split into `fanOut` parts, compared
/// again, down to ranges of at most `leafSeconds` or `leafRows` rows a side (`ParitySearch`), whose
/// rows are fetched from both sides and compared one by one (the data-diff design). The dataset
/// decides which differences are known legacy artefacts (`classify`, `wholesale`).
struct ParityEngine<Legacy: ParitySide, Postgres: ParitySide>: Sendable {
    let dataset: String
    let legacy: Legacy
    let postgres: Postgres
    let settings: ParitySearch
    /// The known-artefact class of one differing row (`horizon`: the legacy side's first row).
    let classify: @Sendable (_ difference: ParityReport.RowDifference, _ horizon: Int64?) -> ParityReport.Artefact?
    /// A differing range with no legacy rows that is an artefact as a whole (the legacy trim), so
    /// its rows need not be listed.
    let wholesale: @Sendable (_ lo: Int64, _ hi: Int64, _ horizon: Int64?) -> ParityReport.Artefact?

    func run() async throws -> ParityReport {
        let bucket = settings.bucketSeconds
        guard bucket > 0 else { throw MigrationError(.invalidArgument, subject: "--bucket", "must be positive") }
        async let legacySpanTask = legacy.span()
        let pgSpan = try await postgres.span()
        let legacySpan = try await legacySpanTask
        let floorToBucket = { (s: Int64) -> Int64 in s - ((s % bucket) + bucket) % bucket }
        let earliest = min(legacySpan?.first ?? .max, pgSpan?.first ?? .max)
        let from = settings.from ?? floorToBucket(earliest == .max ? 0 : earliest)
        let to = settings.to ?? ((legacySpan?.last ?? pgSpan?.last).map { $0 + 1 } ?? from)
        var report = ParityReport(dataset: dataset, legacyPath: legacy.name, postgresTable: postgres.name, from: from, to: to, bucketSeconds: bucket)
        report.legacyHorizon = legacySpan?.first
        guard from < to else { return report }
        let origin = floorToBucket(from)

        async let legacyScanTask = legacy.scan(from: from, to: to, origin: origin, step: bucket)
        let pgSegments = try await postgres.scan(from: from, to: to, origin: origin, step: bucket).segments
        let legacyScan = try await legacyScanTask
        report.legacyRejectedRows = legacyScan.rejected
        report.fallBackRuleApplied = legacyScan.ambiguous

        var differ = Differ(engine: self, horizon: legacySpan?.first)
        let lastBucket = (to - 1 - origin) / bucket
        var current: ParityReport.BucketRange?
        for k in 0...lastBucket {
            let lo = max(from, origin + k * bucket)
            let hi = min(to, origin + (k + 1) * bucket)
            let l = legacyScan.segments[k] ?? SegmentChecksum()
            let p = pgSegments[k] ?? SegmentChecksum()
            report.buckets += 1
            report.legacyRows += l.count
            report.postgresRows += p.count
            let status: ParityReport.BucketStatus = l == p ? .ok : (l.count != p.count ? .countDiffers : .hashDiffers)
            var explained = true
            switch status {
            case .ok: report.okBuckets += 1
            case .countDiffers: report.countDifferBuckets += 1
            case .hashDiffers: report.hashDifferBuckets += 1
            }
            if status != .ok {
                let before = differ.mismatchCount
                try await differ.diff(lo, hi, legacy: l, postgres: p)
                explained = differ.mismatchCount == before
            }
            if var range = current, range.status == status, range.explained == explained {
                range.to = hi
                range.buckets += 1
                range.legacyRows += l.count
                range.postgresRows += p.count
                current = range
            } else {
                if let range = current { report.ranges.append(range) }
                current = .init(from: lo, to: hi, buckets: 1, legacyRows: l.count, postgresRows: p.count, status: status, explained: explained)
            }
        }
        if let range = current { report.ranges.append(range) }
        report.mismatches = differ.mismatches
        report.artefacts = differ.artefacts
        report.mismatchCount = differ.mismatchCount
        report.artefactCounts = differ.artefactCounts
        return report
    }

    /// Bisects differing ranges and classifies the differing rows.
    struct Differ {
        let engine: ParityEngine
        let horizon: Int64?
        var mismatches: [ParityReport.RowDifference] = []
        var artefacts: [ParityReport.RowDifference] = []
        var mismatchCount = 0
        var artefactCounts: [String: Int] = [:]

        init(engine: ParityEngine, horizon: Int64?) {
            self.engine = engine
            self.horizon = horizon
        }

        /// Compares `[lo, hi)`, whose checksums differ.
        mutating func diff(_ lo: Int64, _ hi: Int64, legacy l: SegmentChecksum, postgres p: SegmentChecksum) async throws {
            if l.count == 0, let artefact = engine.wholesale(lo, hi, horizon) {
                artefactCounts[artefact.rawValue, default: 0] += p.count
                return
            }
            let settings = engine.settings
            if hi - lo <= settings.leafSeconds || l.count == 0 || p.count == 0 || max(l.count, p.count) <= settings.leafRows {
                try await compareRows(lo, hi)
                return
            }
            let step = (hi - lo + settings.fanOut - 1) / settings.fanOut
            async let legacyParts = engine.legacy.scan(from: lo, to: hi, origin: lo, step: step)
            let pgParts = try await engine.postgres.scan(from: lo, to: hi, origin: lo, step: step).segments
            let lParts = try await legacyParts.segments
            var k: Int64 = 0
            while lo + k * step < hi {
                let a = lParts[k] ?? SegmentChecksum()
                let b = pgParts[k] ?? SegmentChecksum()
                if a != b { try await diff(lo + k * step, min(hi, lo + (k + 1) * step), legacy: a, postgres: b) }
                k += 1
            }
        }

        private mutating func compareRows(_ lo: Int64, _ hi: Int64) async throws {
            async let legacyRows = engine.legacy.rows(from: lo, to: hi)
            let pgRows = try await engine.postgres.rows(from: lo, to: hi).sorted(by: <)
            let lRows = try await legacyRows.sorted(by: <)
            func difference(_ row: ParityRow, _ kind: ParityReport.DifferenceKind, legacy: String?, postgres: String?, source: String?) -> ParityReport.RowDifference {
                .init(second: row.second, time: UTCTime.iso8601(epochSeconds: row.second), kind: kind, key: row.key.isEmpty ? nil : row.key,
                      legacyPrice: legacy, postgresPrice: postgres, postgresSource: source)
            }
            var i = 0, j = 0
            while i < lRows.count || j < pgRows.count {
                if i < lRows.count, j < pgRows.count, lRows[i].second == pgRows[j].second, lRows[i].key == pgRows[j].key {
                    if lRows[i].value != pgRows[j].value {
                        record(difference(lRows[i], .valueDiffers, legacy: lRows[i].value, postgres: pgRows[j].value, source: pgRows[j].source))
                    }
                    i += 1
                    j += 1
                } else if j >= pgRows.count || (i < lRows.count && lRows[i] < pgRows[j]) {
                    record(difference(lRows[i], .missingInPostgres, legacy: lRows[i].value, postgres: nil, source: nil))
                    i += 1
                } else {
                    record(difference(pgRows[j], .missingInLegacy, legacy: nil, postgres: pgRows[j].value, source: pgRows[j].source))
                    j += 1
                }
            }
        }

        private mutating func record(_ difference: ParityReport.RowDifference) {
            var d = difference
            d.artefact = engine.classify(d, horizon)
            if let artefact = d.artefact {
                artefactCounts[artefact.rawValue, default: 0] += 1
                if artefacts.count < engine.settings.listLimit { artefacts.append(d) }
            } else {
                mismatchCount += 1
                if mismatches.count < engine.settings.listLimit { mismatches.append(d) }
            }
        }
    }
}
