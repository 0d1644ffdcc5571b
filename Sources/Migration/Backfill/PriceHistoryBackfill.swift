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
/// - "Inserted" is the number of rows the server stored for the chunk (COPY's count, or the
///   merge's); "already present" is the rest of the chunk.
/// - Reading the next chunk from SQLite overlaps with writing the current one to PostgreSQL.
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
        let admin = PostgresConnection(configuration: options.postgres, logger: logger)
        let writer = try PostgresWriter<PriceTick>(configuration: options.postgres, schema: options.schema, name: "backfill", logger: logger)
        do {
            let summary = try await load(file, admin: admin, writer: writer, progress: progress, stopAfterChunks: stopAfterChunks)
            try await writer.close()
            await admin.close()
            await file.close()
            return summary
        } catch {
            try? await writer.close()
            await admin.close()
            await file.close()
            throw error
        }
    }

    private func load(_ file: LegacyPriceLogFile, admin: PostgresConnection, writer: PostgresWriter<PriceTick>,
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
        try await SchemaMigrator(schema: options.schema, logger: logger).migrate(on: admin)

        var summary = checkpoint?.summary ?? BackfillSummary()
        summary.resumed = checkpoint != nil
        let rejects = try RejectFile(path: options.rejectFile, append: checkpoint != nil)
        var lastKey = checkpoint?.lastKey
        let remaining = try await file.countTextKeys(after: lastKey)
        let progress = makeProgress?(remaining)

        /// Rejects to the reject file (synced before the chunk's rows are written, so a row is never
        /// both lost and unreported), the ticks to PostgreSQL, and the counts.
        func loadChunk(_ chunk: LegacyPriceLogFile.DecodedChunk) async throws {
            summary.read += chunk.read
            for reject in chunk.rejects { try rejects.write(reject.row, reason: reject.reason) }
            summary.rejected += chunk.rejects.count
            try rejects.sync()
            summary.fallBackRuleApplied += chunk.ambiguous
            guard let first = chunk.ticks.map(\.second).min(), let last = chunk.ticks.map(\.second).max() else { return }
            // The writer reports the rows the server stored (COPY's or the merge's count), so
            // duplicates and rows already present are the rest of the chunk.
            let inserted = try await writer.writeCountingStored(chunk.ticks)
            summary.inserted += inserted
            summary.alreadyPresent += chunk.ticks.count - inserted
            summary.firstSecond = min(summary.firstSecond ?? .max, first)
            summary.lastSecond = max(summary.lastSecond ?? .min, last)
        }

        if checkpoint == nil {
            let odd = try await file.nonTextKeyRows()
            if !odd.isEmpty {
                var chunk = LegacyPriceLogFile.DecodedChunk()
                chunk.read = odd.count
                for row in odd {
                    if case .rejected(let reason) = LegacyPriceRule.key(row[0]) { chunk.rejects.append((row, reason)) }
                }
                try await loadChunk(chunk)
            }
        }
        var chunks = 0
        // Pipelined: the next chunk is read and decoded (on the SQLite file's thread) while the
        // current one is written (on the PostgreSQL connection's thread).
        var chunk = try await file.decodedTextKeyChunk(after: lastKey, limit: options.chunkSize)
        while let key = chunk.lastKey {
            try Task.checkCancellation()
            let more = chunk.read >= options.chunkSize
            async let following = more ? file.decodedTextKeyChunk(after: key, limit: options.chunkSize) : LegacyPriceLogFile.DecodedChunk()
            try await loadChunk(chunk)
            lastKey = key
            progress?.advance(by: chunk.read)
            if let path = options.checkpointFile {
                try BackfillCheckpoint(source: sourcePath, schema: options.schema.name, lastKey: key, summary: summary).save(path: path)
            }
            chunks += 1
            if let stop = stopAfterChunks, chunks >= stop { return summary }
            chunk = try await following
        }
        progress?.finish()
        if let path = options.checkpointFile { try? FileManager.default.removeItem(atPath: path) }
        logger.info("backfill done", metadata: ["backfill.read": "\(summary.read)", "backfill.inserted": "\(summary.inserted)"])
        return summary
    }
}
