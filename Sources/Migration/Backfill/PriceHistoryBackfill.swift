import Foundation
import Logging
import StorageKit

/// `recioctl backfill price-history`: loads a legacy `price_log` into PostgreSQL `price_history`.
///
/// - The input is validated before anything is written (`LegacyPriceLogFile`; its `quick_check`
///   runs while the first chunks are read ahead, and nothing is written until it has passed).
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
/// - The progress total is an estimate from the rowids (`estimatedTextKeys`), not a counting pass.
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
        // Opened without the integrity check: `load` runs it on a second opening while this one
        // reads ahead, and writes nothing until it has passed.
        let file = try await LegacyPriceLogFile(path: options.source, integrityCheck: false)
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

    /// Chunks read ahead of the writer while the integrity check runs: about a million rows
    /// (some 25 MB of ticks), at least one chunk.
    var readAheadChunks: Int { max(1, 1_000_000 / max(1, options.chunkSize)) }

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
        var lastKey = checkpoint?.lastKey
        let chunkSize = options.chunkSize

        // The integrity check (`quick_check`, a walk of every b-tree: one core) runs on its own
        // opening of the file while this one reads the first chunks ahead on the other core, up to
        // `readAheadChunks`. Nothing is written anywhere (schema, reject file, rows) until the
        // check has passed; a failed check is the error reported, whatever the reads met.
        let checkDone = DoneFlag()
        async let readAhead = Self.readAhead(file, after: lastKey, chunkSize: chunkSize, atMost: readAheadChunks, until: checkDone)
        do {
            let checker = try await LegacyPriceLogFile(path: options.source, integrityCheck: true)
            await checker.close()
            checkDone.set()
        } catch {
            checkDone.set()
            _ = await readAhead
            throw error
        }
        var pending = try await readAhead.get()

        try await SchemaMigrator(schema: options.schema, logger: logger).migrate(on: admin)

        var summary = checkpoint?.summary ?? BackfillSummary()
        summary.resumed = checkpoint != nil
        let rejects = try RejectFile(path: options.rejectFile, append: checkpoint != nil)
        let remaining = try await file.estimatedTextKeys(after: lastKey)
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
        // Pipelined: the reader (the SQLite file's thread) stays `pending.count` chunks ahead of
        // the writer (the PostgreSQL connection's thread), reading one chunk while one is written.
        // The checkpoint names only written chunks, so an error or interruption loses nothing:
        // a resumed run reads again from the last written key (and a re-read row is stored once).
        var readKey = pending.last?.lastKey ?? lastKey
        var readerDone = pending.last.map { $0.read < chunkSize } ?? false
        var chunks = 0
        while true {
            try Task.checkCancellation()
            if pending.isEmpty {
                guard !readerDone else { break }
                let chunk = try await file.decodedTextKeyChunk(after: readKey, limit: chunkSize)
                readerDone = chunk.read < chunkSize
                guard chunk.read > 0 else { break }
                readKey = chunk.lastKey
                pending.append(chunk)
            }
            let chunk = pending.removeFirst()
            guard let key = chunk.lastKey else { break }
            let readNext = !readerDone
            let nextAfter = readKey
            async let following = readNext ? file.decodedTextKeyChunk(after: nextAfter, limit: chunkSize) : LegacyPriceLogFile.DecodedChunk()
            try await loadChunk(chunk)
            lastKey = key
            progress?.advance(by: chunk.read)
            if let path = options.checkpointFile {
                try BackfillCheckpoint(source: sourcePath, schema: options.schema.name, lastKey: key, summary: summary).save(path: path)
            }
            chunks += 1
            if let stop = stopAfterChunks, chunks >= stop { return summary }
            let next = try await following
            if readNext {
                readerDone = next.read < chunkSize
                if next.read > 0 {
                    readKey = next.lastKey
                    pending.append(next)
                }
            }
        }
        progress?.finish()
        if let path = options.checkpointFile { try? FileManager.default.removeItem(atPath: path) }
        logger.info("backfill done", metadata: ["backfill.read": "\(summary.read)", "backfill.inserted": "\(summary.inserted)"])
        return summary
    }

    /// Reads chunks after `afterKey` until `atMost` are read, the table ends, or `until` is set
    /// (checked between chunks). The result, not a throw: the caller decides which error counts.
    private static func readAhead(_ file: LegacyPriceLogFile, after afterKey: String?, chunkSize: Int, atMost: Int,
                                  until stop: DoneFlag) async -> Result<[LegacyPriceLogFile.DecodedChunk], any Error> {
        var chunks: [LegacyPriceLogFile.DecodedChunk] = []
        var key = afterKey
        do {
            while chunks.count < atMost, !stop.isSet {
                let chunk = try await file.decodedTextKeyChunk(after: key, limit: chunkSize)
                if chunk.read > 0 { chunks.append(chunk) }
                if chunk.read < chunkSize { break }
                key = chunk.lastKey
            }
            return .success(chunks)
        } catch {
            return .failure(error)
        }
    }
}
