import Foundation
import Logging
import StorageKit

/// `recioctl backfill price-history`: loads a legacy `price_log` into PostgreSQL `price_history`.
///
/// - The input is validated before anything is written (`LegacyPriceLogFile`).
/// - Rows stream in key order in chunks (keyset paging), so memory is bounded by `chunkSize`.
///   Rows with non-text keys (never legacy-written) are read first and go to the reject file.
/// - Keys and prices follow `LegacyPriceRule` (fall-back hour → EST, counted; spring-forward and
///   garbage rejected; prices to the cent, ties to even).
/// - Loading goes through `PostgresWriter` (COPY fast path; a chunk with keys already stored falls
///   back to its staging-table merge with `ON CONFLICT DO NOTHING`) with source `legacy_backfill`,
///   so a re-run inserts nothing new.
/// - "Inserted" is the growth of the row count over the chunk's time span (measured before and
///   after each chunk); "already present" is the rest of the chunk.
/// - With a checkpoint file, an interrupted run resumes after the last committed chunk.
public struct PriceHistoryBackfill: Sendable {
    public struct Options: Sendable {
        /// The legacy `btc_price_history.db`.
        public var source: String
        public var postgres: PostgresConfiguration
        public var schema: PostgresIdentifier
        /// Rows per chunk (one COPY transaction each).
        public var chunkSize: Int
        /// Where rejected rows go (`PATH` and `PATH.log`).
        public var rejectFile: String
        /// Resume/progress file; `nil` disables resuming (idempotency still holds).
        public var checkpointFile: String?

        public init(source: String, postgres: PostgresConfiguration, schema: PostgresIdentifier = .defaultSchema,
                    chunkSize: Int = 50_000, rejectFile: String, checkpointFile: String? = nil) {
            self.source = source
            self.postgres = postgres
            self.schema = schema
            self.chunkSize = chunkSize
            self.rejectFile = rejectFile
            self.checkpointFile = checkpointFile
        }
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Runs the backfill. `progress` receives the row counts as chunks are done; `stopAfterChunks`
    /// ends the run early as if interrupted (tests of resuming).
    public func run(progress: ((_ total: Int) -> ProgressReporter)? = nil, stopAfterChunks: Int? = nil) async throws -> BackfillSummary {
        let file = try await LegacyPriceLogFile(path: options.source)
        let counter = PostgresConnection(configuration: options.postgres, logger: logger)
        let writer = try PostgresWriter<PriceTick>(configuration: options.postgres, schema: options.schema, name: "backfill", logger: logger)
        do {
            let summary = try await load(file, counter: counter, writer: writer, progress: progress, stopAfterChunks: stopAfterChunks)
            try await writer.close()
            await counter.close()
            await file.close()
            return summary
        } catch {
            try? await writer.close()
            await counter.close()
            await file.close()
            throw error
        }
    }

    private func load(_ file: LegacyPriceLogFile, counter: PostgresConnection, writer: PostgresWriter<PriceTick>,
                      progress makeProgress: ((Int) -> ProgressReporter)?, stopAfterChunks: Int?) async throws -> BackfillSummary {
        let sourcePath = URL(fileURLWithPath: options.source).standardizedFileURL.path
        var checkpoint: BackfillCheckpoint?
        if let path = options.checkpointFile, let saved = try BackfillCheckpoint.load(path: path) {
            guard saved.source == sourcePath, saved.schema == options.schema.name else {
                throw MigrationError(.invalidCheckpoint, subject: path,
                                     "belongs to \(saved.source) → \(saved.schema), not \(sourcePath) → \(options.schema.name); delete it or pass another --checkpoint")
            }
            checkpoint = saved
        }
        try await SchemaMigrator(schema: options.schema, logger: logger).migrate(on: counter)

        var summary = checkpoint?.summary ?? BackfillSummary()
        summary.resumed = checkpoint != nil
        let rejects = try RejectFile(path: options.rejectFile, append: checkpoint != nil)
        var lastKey = checkpoint?.lastKey
        let remaining = try await file.countTextKeys(after: lastKey)
        let progress = makeProgress?(remaining)
        let table = PostgresIdentifier.qualified(options.schema, try PostgresIdentifier("price_history"))
        let countSQL = "SELECT count(*) FROM \(table) WHERE ts >= $1::timestamptz AND ts <= $2::timestamptz"

        func loadChunk(_ rows: [SQLiteRowValues]) async throws {
            summary.read += rows.count
            var ticks: [PriceTick] = []
            ticks.reserveCapacity(rows.count)
            for row in rows {
                switch (LegacyPriceRule.key(row[0]), LegacyPriceRule.price(row[1])) {
                case (.rejected(let reason), _), (_, .rejected(let reason)):
                    try rejects.write(row, reason: reason)
                    summary.rejected += 1
                case (.instant(let second, let ambiguous), .cents(let cents)):
                    if ambiguous { summary.fallBackRuleApplied += 1 }
                    ticks.append(PriceTick(second: second, price: USDCents(cents: cents), source: .legacyBackfill))
                }
            }
            try rejects.sync()
            guard let first = ticks.map(\.second).min(), let last = ticks.map(\.second).max() else { return }
            let span = [UTCTime.postgresText(epochSeconds: first), UTCTime.postgresText(epochSeconds: last)]
            let before = try await counter.withReconnect("count price_history") { try $0.query(countSQL, span).scalar }
            try await writer.write(ticks)
            let after = try await counter.withReconnect("count price_history") { try $0.query(countSQL, span).scalar }
            let inserted = max(0, (after.flatMap { Int($0) } ?? 0) - (before.flatMap { Int($0) } ?? 0))
            // Duplicate seconds within the chunk count as already present too.
            summary.inserted += inserted
            summary.alreadyPresent += ticks.count - inserted
            summary.firstSecond = min(summary.firstSecond ?? .max, first)
            summary.lastSecond = max(summary.lastSecond ?? .min, last)
        }

        if checkpoint == nil {
            let odd = try await file.nonTextKeyRows()
            if !odd.isEmpty { try await loadChunk(odd) }
        }
        var chunks = 0
        while true {
            try Task.checkCancellation()
            let rows = try await file.textKeyRows(after: lastKey, limit: options.chunkSize)
            guard let key = rows.last?[0].text else { break }
            try await loadChunk(rows)
            lastKey = key
            progress?.advance(by: rows.count)
            if let path = options.checkpointFile {
                try BackfillCheckpoint(source: sourcePath, schema: options.schema.name, lastKey: key, summary: summary).save(path: path)
            }
            chunks += 1
            if let stop = stopAfterChunks, chunks >= stop { return summary }
            if rows.count < options.chunkSize { break }
        }
        progress?.finish()
        if let path = options.checkpointFile { try? FileManager.default.removeItem(atPath: path) }
        logger.info("backfill done", metadata: ["backfill.read": "\(summary.read)", "backfill.inserted": "\(summary.inserted)"])
        return summary
    }
}
