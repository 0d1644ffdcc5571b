import Foundation

/// Where an interrupted backfill resumes: the last legacy key whose chunk was committed, and the
/// counters so far. Written atomically after every committed chunk and removed when the run
/// completes. Idempotent loading makes the checkpoint an optimisation: without it a re-run
/// re-reads everything and inserts nothing twice.
public struct BackfillCheckpoint: Codable, Sendable, Equatable {
    /// The legacy file this checkpoint belongs to (a checkpoint of another file is refused).
    public var source: String
    /// The PostgreSQL schema loaded.
    public var schema: String
    /// The last text key of the last committed chunk.
    public var lastKey: String
    public var summary: BackfillSummary

    public static func load(path: String) throws -> BackfillCheckpoint? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(BackfillCheckpoint.self, from: data)
        } catch {
            throw MigrationError(.invalidCheckpoint, subject: path, "unreadable checkpoint (\(error)); delete it to start over")
        }
    }

    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw MigrationError(.io, subject: path, "cannot write the checkpoint: \(error.localizedDescription)")
        }
    }
}

/// What a backfill did.
public struct BackfillSummary: Codable, Sendable, Equatable {
    /// Legacy rows read.
    public var read = 0
    /// Rows stored that were not there before.
    public var inserted = 0
    /// Rows whose second PostgreSQL already had (a re-run, or the live daemon wrote it).
    public var alreadyPresent = 0
    /// Rows written to the reject file.
    public var rejected = 0
    /// Rows whose key was in the ambiguous fall-back hour, read as EST by the documented rule.
    public var fallBackRuleApplied = 0
    /// Whether this run continued from a checkpoint.
    public var resumed = false
    /// First and last UTC epoch second loaded.
    public var firstSecond: Int64?
    public var lastSecond: Int64?

    public init() {}
}
