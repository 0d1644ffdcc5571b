import Foundation
import Logging
import StorageKit

/// `recioctl backfill snapshots --from DIR`: loads the JSON market snapshot exports (the hourly
/// archive export and the legacy latest files, read by `MarketSnapshotExport`) into PostgreSQL
/// `market_snapshots`.
///
/// - One export file at a time (memory bounded by the largest hour file), written in chunks
///   through `PostgresWriter` (COPY; `ON CONFLICT DO NOTHING` on `(ts, market_ticker)`), so a
///   re-run inserts nothing new.
/// - Lines and markets that cannot be read go to the reject file (raw text, reason in `PATH.log`).
/// - "Inserted" is the growth of the row count over each chunk's time span; "already present" the rest.
/// - With a checkpoint file, an interrupted run resumes after the last file it finished.
public struct MarketSnapshotBackfill: Sendable {
    public struct Options: Sendable {
        /// The folder of `market_snapshots-*.jsonl` and `latest_market_snapshot*.json`.
        public var directory: String
        public var postgres: PostgresConfiguration
        public var schema: PostgresIdentifier
        /// Records per COPY transaction.
        public var chunkSize: Int
        public var rejectFile: String
        public var checkpointFile: String?

        public init(directory: String, postgres: PostgresConfiguration, schema: PostgresIdentifier = .defaultSchema,
                    chunkSize: Int = 20_000, rejectFile: String, checkpointFile: String? = nil) {
            self.directory = directory
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

    /// Runs the backfill; `stopAfterFiles` ends it early as if interrupted (tests of resuming).
    public func run(progress makeProgress: ((_ total: Int) -> ProgressReporter)? = nil, stopAfterFiles: Int? = nil) async throws -> BackfillSummary {
        let export = try MarketSnapshotExport(directory: options.directory)
        let source = URL(fileURLWithPath: options.directory).standardizedFileURL.path
        var checkpoint: BackfillCheckpoint?
        if let path = options.checkpointFile, let saved = try BackfillCheckpoint.load(path: path) {
            guard saved.source == source, saved.schema == options.schema.name else {
                throw MigrationError(.invalidCheckpoint, subject: path,
                                     "belongs to \(saved.source) → \(saved.schema), not \(source) → \(options.schema.name); delete it or pass another --checkpoint")
            }
            checkpoint = saved
        }
        let units = try await export.units()
        var start = 0
        if let last = checkpoint?.lastKey, let index = units.firstIndex(where: { $0.name == last }) { start = index + 1 }
        let counter = PostgresConnection(configuration: options.postgres, logger: logger)
        let writer = try PostgresWriter<MarketSnapshot>(configuration: options.postgres, schema: options.schema, name: "backfill", logger: logger)
        do {
            try await SchemaMigrator(schema: options.schema, logger: logger).migrate(on: counter)
            var summary = checkpoint?.summary ?? BackfillSummary()
            summary.resumed = checkpoint != nil
            let rejects = try RejectFile(path: options.rejectFile, append: checkpoint != nil)
            var total = 0
            for unit in units[start...] { total += await export.size(of: unit) }
            let progress = makeProgress?(total)
            let table = PostgresIdentifier.qualified(options.schema, try PostgresIdentifier("market_snapshots"))
            let countSQL = "SELECT count(*) FROM \(table) WHERE ts >= $1::timestamptz AND ts <= $2::timestamptz"
            var files = 0
            for unit in units[start...] {
                try Task.checkCancellation()
                let batch = try await export.read(unit)
                for r in batch.rejected {
                    try rejects.write([.text(r.raw)], reason: "\(r.file)\(r.line.map { ":\($0)" } ?? ""): \(r.reason)")
                }
                try rejects.sync()
                summary.read += batch.records.count + batch.rejected.count + batch.alreadyExported
                summary.rejected += batch.rejected.count
                summary.alreadyPresent += batch.alreadyExported
                var offset = 0
                while offset < batch.records.count {
                    let chunk = Array(batch.records[offset..<min(batch.records.count, offset + options.chunkSize)])
                    offset += chunk.count
                    guard let first = chunk.map(\.second).min(), let last = chunk.map(\.second).max() else { continue }
                    let span = [UTCTime.postgresText(epochSeconds: first), UTCTime.postgresText(epochSeconds: last)]
                    let before = try await counter.withReconnect("count market_snapshots") { try $0.query(countSQL, span).scalar }
                    try await writer.write(chunk)
                    let after = try await counter.withReconnect("count market_snapshots") { try $0.query(countSQL, span).scalar }
                    let inserted = max(0, (after.flatMap { Int($0) } ?? 0) - (before.flatMap { Int($0) } ?? 0))
                    summary.inserted += inserted
                    summary.alreadyPresent += chunk.count - inserted
                    summary.firstSecond = min(summary.firstSecond ?? .max, first)
                    summary.lastSecond = max(summary.lastSecond ?? .min, last)
                }
                progress?.advance(by: await export.size(of: unit))
                if let path = options.checkpointFile {
                    try BackfillCheckpoint(source: source, schema: options.schema.name, lastKey: unit.name, summary: summary).save(path: path)
                }
                files += 1
                if let stop = stopAfterFiles, files >= stop, unit != units.last {
                    try await writer.close()
                    await counter.close()
                    return summary
                }
            }
            progress?.finish()
            if let path = options.checkpointFile { try? FileManager.default.removeItem(atPath: path) }
            try await writer.close()
            await counter.close()
            logger.info("snapshot backfill done", metadata: ["backfill.read": "\(summary.read)", "backfill.inserted": "\(summary.inserted)"])
            return summary
        } catch {
            try? await writer.close()
            await counter.close()
            throw error
        }
    }
}
