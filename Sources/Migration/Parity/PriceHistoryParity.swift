import Foundation
import Logging
import StorageKit

/// `recioctl parity price-history`: compares a legacy `price_log` with PostgreSQL `price_history`.
///
/// The design follows data-diff: per bucket, both stores produce a row count and an
/// order-independent checksum of the canonical rows (`CanonicalRowHash`) — PostgreSQL inside the
/// server, the legacy file in one streaming pass — concurrently. A bucket that
/// differs is split into `fanOut` parts, whose checksums are compared again, down to ranges of at
/// most `leafSeconds`, whose rows are fetched from both sides and compared one by one.
///
/// Differences that are known legacy artefacts are classified, not counted as mismatches:
/// rows of the autumn fall-back window (the legacy keys there are ambiguous), PostgreSQL rows
/// before the legacy file's first row (its 30-day trim), and PostgreSQL rows for seconds the
/// legacy never wrote (source `carried_forward` or `gap_repair`).
public struct PriceHistoryParity: Sendable {
    public struct Options: Sendable {
        public var sqlitePath: String
        public var postgres: PostgresConfiguration
        public var schema: PostgresIdentifier
        /// Window start (UTC epoch second); default: the earlier of both stores' first rows, aligned to a bucket.
        public var from: Int64?
        /// Window end, exclusive; default: just after the legacy file's last row (the legacy stops at cutover).
        public var to: Int64?
        public var bucketSeconds: Int64
        /// Ranges this short are compared row by row.
        public var leafSeconds: Int64 = 256
        public var fanOut: Int64 = 8
        /// Most differences listed per kind (all are counted).
        public var listLimit = 1000

        public init(sqlitePath: String, postgres: PostgresConfiguration, schema: PostgresIdentifier = .defaultSchema,
                    from: Int64? = nil, to: Int64? = nil, bucketSeconds: Int64 = 3600) {
            self.sqlitePath = sqlitePath
            self.postgres = postgres
            self.schema = schema
            self.from = from
            self.to = to
            self.bucketSeconds = bucketSeconds
        }
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run() async throws -> ParityReport {
        guard options.bucketSeconds > 0 else { throw MigrationError(.invalidArgument, subject: "--bucket", "must be positive") }
        let started = Date()
        // No quick_check: the comparison reads every row anyway (see LegacyPriceLogFile.init).
        let legacy = try await LegacyPriceLogFile(path: options.sqlitePath, integrityCheck: false)
        let connection = PostgresConnection(configuration: options.postgres, logger: logger)
        do {
            let postgres = try PostgresPriceHistorySide(connection: connection, schema: options.schema)
            var report = try await compare(legacy, postgres)
            report.elapsedSeconds = Date().timeIntervalSince(started)
            await legacy.close()
            await connection.close()
            return report
        } catch {
            await legacy.close()
            await connection.close()
            throw error
        }
    }

    private func compare(_ legacy: LegacyPriceLogFile, _ postgres: PostgresPriceHistorySide) async throws -> ParityReport {
        let bucket = options.bucketSeconds
        async let legacySpanTask = legacy.span()
        let pgSpan = try await postgres.span()
        let legacySpan = try await legacySpanTask
        let floorToBucket = { (s: Int64) -> Int64 in s - ((s % bucket) + bucket) % bucket }
        let from = options.from ?? floorToBucket(min(legacySpan?.first ?? .max, pgSpan?.first ?? .max) == .max ? 0 : min(legacySpan?.first ?? .max, pgSpan?.first ?? .max))
        let to = options.to ?? ((legacySpan?.last ?? pgSpan?.last).map { $0 + 1 } ?? from)
        var report = ParityReport(legacyPath: legacy.path, postgresTable: postgres.table, from: from, to: to, bucketSeconds: bucket)
        report.legacyHorizon = legacySpan?.first
        guard from < to else { return report }
        let origin = floorToBucket(from)

        // Without --from/--to the window is the whole legacy file: one sequential pass over it.
        let wholeTable = options.from == nil && options.to == nil
        async let legacyScanTask = legacy.scan(from: from, to: to, origin: origin, step: bucket, wholeTable: wholeTable)
        let pgSegments = try await postgres.segments(from: from, to: to, origin: origin, step: bucket)
        let legacyScan = try await legacyScanTask
        report.legacyRejectedRows = legacyScan.rejected
        report.fallBackRuleApplied = legacyScan.ambiguous

        var differ = Differ(legacy: legacy, postgres: postgres, options: options, horizon: legacySpan?.first)
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
        let legacy: LegacyPriceLogFile
        let postgres: PostgresPriceHistorySide
        let options: Options
        let horizon: Int64?
        var mismatches: [ParityReport.RowDifference] = []
        var artefacts: [ParityReport.RowDifference] = []
        var mismatchCount = 0
        var artefactCounts: [String: Int] = [:]

        init(legacy: LegacyPriceLogFile, postgres: PostgresPriceHistorySide, options: Options, horizon: Int64?) {
            self.legacy = legacy
            self.postgres = postgres
            self.options = options
            self.horizon = horizon
        }

        /// Compares `[lo, hi)`, whose checksums differ.
        mutating func diff(_ lo: Int64, _ hi: Int64, legacy l: SegmentChecksum, postgres p: SegmentChecksum) async throws {
            // A range entirely before the legacy horizon with no legacy rows: the trim, wholesale.
            if l.count == 0, let horizon, hi <= horizon, LegacyPriceRule.fallBackWindow(containing: lo) == nil,
               LegacyPriceRule.fallBackWindow(containing: hi - 1) == nil {
                artefactCounts[ParityReport.Artefact.legacyTrimmed.rawValue, default: 0] += p.count
                return
            }
            if hi - lo <= options.leafSeconds || l.count == 0 || p.count == 0 {
                try await compareRows(lo, hi)
                return
            }
            let step = (hi - lo + options.fanOut - 1) / options.fanOut
            async let legacyParts = legacy.scan(from: lo, to: hi, origin: lo, step: step)
            let pgParts = try await postgres.segments(from: lo, to: hi, origin: lo, step: step)
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
            async let legacyRows = legacy.scan(from: lo, to: hi, origin: lo, step: hi - lo, keepRows: true)
            let pgRows = try await postgres.rows(from: lo, to: hi)
            let lRows = try await legacyRows.rows
            var i = 0, j = 0
            while i < lRows.count || j < pgRows.count {
                let ls = i < lRows.count ? lRows[i].second : .max
                let ps = j < pgRows.count ? pgRows[j].second : .max
                if ls == ps {
                    if lRows[i].cents != pgRows[j].cents {
                        record(.init(second: ls, time: UTCTime.iso8601(epochSeconds: ls), kind: .valueDiffers,
                                     legacyPrice: USDText.format(lRows[i].cents), postgresPrice: USDText.format(pgRows[j].cents),
                                     postgresSource: pgRows[j].source))
                    }
                    i += 1
                    j += 1
                } else if ls < ps {
                    record(.init(second: ls, time: UTCTime.iso8601(epochSeconds: ls), kind: .missingInPostgres,
                                 legacyPrice: USDText.format(lRows[i].cents)))
                    i += 1
                } else {
                    record(.init(second: ps, time: UTCTime.iso8601(epochSeconds: ps), kind: .missingInLegacy,
                                 postgresPrice: USDText.format(pgRows[j].cents), postgresSource: pgRows[j].source))
                    j += 1
                }
            }
        }

        private mutating func record(_ difference: ParityReport.RowDifference) {
            var d = difference
            d.artefact = classify(d)
            if let artefact = d.artefact {
                artefactCounts[artefact.rawValue, default: 0] += 1
                if artefacts.count < options.listLimit { artefacts.append(d) }
            } else {
                mismatchCount += 1
                if mismatches.count < options.listLimit { mismatches.append(d) }
            }
        }

        private func classify(_ d: ParityReport.RowDifference) -> ParityReport.Artefact? {
            if LegacyPriceRule.fallBackWindow(containing: d.second) != nil { return .fallBackHour }
            guard d.kind == .missingInLegacy else { return nil }
            if let horizon, d.second < horizon { return .legacyTrimmed }
            if d.postgresSource == PriceSource.carriedForward.rawValue || d.postgresSource == PriceSource.gapRepair.rawValue {
                return .neverWrittenByLegacy
            }
            return nil
        }
    }
}
