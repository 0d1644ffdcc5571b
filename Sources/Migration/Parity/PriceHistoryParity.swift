import Foundation
import Logging
import StorageKit

/// `recioctl parity price-history`: compares a legacy `price_log` with PostgreSQL `price_history`
/// through the `ParityEngine`: per bucket, a row count and an order-independent checksum of the
/// canonical rows (`CanonicalRowHash`) — PostgreSQL inside the server, the legacy file in one
/// streaming pass — bisected down to rows where they differ.
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
        /// The window and the search (bisection down to 256 s or 4,096 rows).
        public var search: ParitySearch
        /// PostgreSQL connections sharing the window's checksum query (disjoint months): one per
        /// core, at most 2. The server side costs more per row than the legacy side (measured on
        /// 5 M rows: about 2.3 CPU-s against 1.4), so it is the one split first.
        public var workers = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))
        /// SQLite readers sharing a whole-file scan (disjoint rowid ranges): 2 from 4 cores on.
        /// With fewer cores the SQLite reader and the PostgreSQL connections already use them
        /// all, and a second reader only added CPU (2.2-2.4 CPU-s against 1.4-1.5).
        public var legacyReaders = ProcessInfo.processInfo.activeProcessorCount >= 4 ? 2 : 1

        public init(sqlitePath: String, postgres: PostgresConfiguration, schema: PostgresIdentifier = .defaultSchema,
                    from: Int64? = nil, to: Int64? = nil, bucketSeconds: Int64 = 3600) {
            self.sqlitePath = sqlitePath
            self.postgres = postgres
            self.schema = schema
            self.search = ParitySearch(from: from, to: to, bucketSeconds: bucketSeconds, leafSeconds: 256)
        }
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run() async throws -> ParityReport {
        guard options.search.bucketSeconds > 0 else { throw MigrationError(.invalidArgument, subject: "--bucket", "must be positive") }
        let started = Date()
        // No quick_check: the comparison reads every row anyway (see LegacyPriceLogFile.init).
        var files: [LegacyPriceLogFile] = []
        var connections: [PostgresConnection] = []
        do {
            for _ in 0..<max(1, options.legacyReaders) {
                files.append(try await LegacyPriceLogFile(path: options.sqlitePath, integrityCheck: false))
            }
            for _ in 0..<max(1, options.workers) {
                connections.append(PostgresConnection(configuration: options.postgres, logger: logger))
            }
            let engine = ParityEngine(
                dataset: "price_history", legacy: try await LegacyPriceHistorySide(files: files),
                postgres: try PostgresPriceHistorySide(connections: connections, schema: options.schema),
                settings: options.search,
                classify: Self.classify, wholesale: Self.wholesale)
            var report = try await engine.run()
            report.elapsedSeconds = Date().timeIntervalSince(started)
            await Self.close(files, connections)
            return report
        } catch {
            await Self.close(files, connections)
            throw error
        }
    }

    private static func close(_ files: [LegacyPriceLogFile], _ connections: [PostgresConnection]) async {
        for file in files { await file.close() }
        for connection in connections { await connection.close() }
    }

    /// A range entirely before the legacy horizon with no legacy rows: the legacy 30-day trim, wholesale.
    @Sendable static func wholesale(_ lo: Int64, _ hi: Int64, _ horizon: Int64?) -> ParityReport.Artefact? {
        guard let horizon, hi <= horizon, LegacyPriceRule.fallBackWindow(containing: lo) == nil,
              LegacyPriceRule.fallBackWindow(containing: hi - 1) == nil else { return nil }
        return .legacyTrimmed
    }

    @Sendable static func classify(_ d: ParityReport.RowDifference, _ horizon: Int64?) -> ParityReport.Artefact? {
        if LegacyPriceRule.fallBackWindow(containing: d.second) != nil { return .fallBackHour }
        guard d.kind == .missingInLegacy else { return nil }
        if let horizon, d.second < horizon { return .legacyTrimmed }
        if d.postgresSource == PriceSource.carriedForward.rawValue || d.postgresSource == PriceSource.gapRepair.rawValue {
            return .neverWrittenByLegacy
        }
        return nil
    }
}
