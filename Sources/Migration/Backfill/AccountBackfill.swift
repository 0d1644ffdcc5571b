import Foundation
import KalshiKit
import Logging
import StorageKit

/// `recioctl backfill account --from DIR`: the legacy `fills.json`, `settlements.json` (and
/// `positions.json` where present) into the PostgreSQL account tables, with the ingest daemon's
/// decoders, keys and idempotency (fills by `trade_id`, settlements by ticker and settled time).
///
/// - All files are parsed before anything is written (`LegacyAccountFiles`).
/// - Objects load in chunks, each one transaction through the COPY path, so memory beyond the
///   parsed files is bounded by the chunk size. A re-run inserts nothing new.
/// - An object that cannot be decoded or validated goes to the reject file (the object as JSON,
///   its reason in `PATH.log`).
/// - Positions are a snapshot: they are loaded only when the positions table is empty, so an old
///   file never replaces the daemon's newer snapshot.
public struct AccountBackfill: Sendable {
    public struct Options: Sendable {
        public var directory: String
        public var postgres: PostgresConfiguration
        public var schema: PostgresIdentifier
        public var chunkSize: Int
        public var rejectFile: String

        public init(directory: String, postgres: PostgresConfiguration, schema: PostgresIdentifier = .defaultSchema,
                    chunkSize: Int = 5_000, rejectFile: String) {
            self.directory = directory
            self.postgres = postgres
            self.schema = schema
            self.chunkSize = chunkSize
            self.rejectFile = rejectFile
        }
    }

    /// What happened to one dataset.
    public struct DatasetSummary: Codable, Sendable, Equatable {
        public var dataset: String
        public var file: String?
        public var read = 0
        public var inserted = 0
        public var alreadyPresent = 0
        public var rejected = 0
        /// Why the dataset was not loaded at all (no file; positions already present).
        public var skipped: String?
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run(progress: ((_ label: String, _ total: Int) -> ProgressReporter)? = nil) async throws -> [DatasetSummary] {
        let files = try LegacyAccountFiles(directory: options.directory)
        let rejects = try RejectFile(path: options.rejectFile, append: false)
        let writer = PostgresAtomicWriter(connection: PostgresConnection(configuration: options.postgres, logger: logger),
                                          schema: options.schema, logger: logger)
        do {
            try await SchemaMigrator(schema: options.schema, logger: logger).migrate(on: writer.connection)
            var summaries: [DatasetSummary] = []
            summaries.append(try await load(files.fills, KalshiFill.self, writer: writer, rejects: rejects, progress: progress) {
                try KalshiHistoryDecoder.fill($0)
            })
            summaries.append(try await load(files.settlements, KalshiSettlement.self, writer: writer, rejects: rejects, progress: progress) {
                try KalshiHistoryDecoder.settlement($0)
            })
            let positionsPresent = try await count(KalshiPosition.self, writer.connection) > 0
            if positionsPresent, files.positions != nil {
                summaries.append(DatasetSummary(dataset: KalshiPosition.dataset, file: files.positions?.path, read: files.positions?.items.count ?? 0,
                                                skipped: "the table already holds a snapshot (newer than a legacy file)"))
            } else {
                let snapshot = files.positions?.modified ?? 0
                summaries.append(try await load(files.positions, KalshiPosition.self, writer: writer, rejects: rejects, progress: progress) {
                    try KalshiHistoryDecoder.position($0, snapshotTime: snapshot)
                })
            }
            try rejects.sync()
            await writer.close()
            return summaries
        } catch {
            await writer.close()
            throw error
        }
    }

    private func load<R: StorableRecord>(_ file: LegacyAccountFiles.Items?, _ type: R.Type, writer: PostgresAtomicWriter, rejects: RejectFile,
                                         progress: ((String, Int) -> ProgressReporter)?,
                                         decode: (OrderedJSON) throws -> R) async throws -> DatasetSummary {
        var summary = DatasetSummary(dataset: R.dataset, file: file?.path)
        guard let file else {
            summary.skipped = "no file"
            return summary
        }
        let reporter = progress?(R.dataset, file.items.count)
        var start = 0
        while start < file.items.count {
            let end = min(file.items.count, start + options.chunkSize)
            var records: [R] = []
            for (offset, item) in file.items[start..<end].enumerated() {
                do {
                    let record = try decode(item)
                    try record.validate()
                    records.append(record)
                } catch {
                    try rejects.write([.text(item.compactText)], reason: "\(file.path) item \(start + offset): \(error)")
                    summary.rejected += 1
                }
            }
            let before = try await count(R.self, writer.connection)
            var batch = PostgresAtomicBatch()
            try batch.upsert(records)
            try await writer.commit(batch)
            let after = try await count(R.self, writer.connection)
            summary.read += end - start
            summary.inserted += after - before
            summary.alreadyPresent += records.count - (after - before)
            reporter?.advance(by: end - start)
            start = end
        }
        reporter?.finish()
        return summary
    }

    private func count<R: StorableRecord>(_ type: R.Type, _ connection: PostgresConnection) async throws -> Int {
        let table = try PostgresIdentifier(R.postgres!.table)
        let sql = "SELECT count(*) FROM \(PostgresIdentifier.qualified(options.schema, table))"
        let rows = try await connection.withReconnect("count \(R.dataset)") { conn in try conn.query(sql) }
        return Int(rows.rows.first?.first.flatMap { $0 } ?? "0") ?? 0
    }
}
