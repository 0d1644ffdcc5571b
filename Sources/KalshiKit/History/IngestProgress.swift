import Foundation

/// What the ingest has done, for `STATUS=`, the health check and `--once`'s exit status.
public struct IngestProgress: Sendable, Equatable {
    /// Cycles finished (with or without failed streams).
    public var cycles = 0
    /// Whether a cycle is running now.
    public var running = false
    /// The stream being worked on (`trades/KXBTCD-…`).
    public var currentStream: String?
    /// Per-market streams done / to do in the current cycle.
    public var marketStreamsDone = 0
    public var marketStreamsTotal = 0
    /// Rows stored since start.
    public var rowsStored: Int64 = 0
    /// Rows of the current (or last) cycle.
    public var rowsThisCycle: Int64 = 0
    /// Objects skipped because they could not be decoded or validated (each logged with its reason).
    public var invalidObjects = 0
    /// Streams that failed in the current (or last) cycle, with the error.
    public var failures: [String: String] = [:]
    /// When the last page was committed or the last cycle ended.
    public var lastProgressAt: Date?
    public var lastCycleEndedAt: Date?
    public var lastCycleFailed = false

    public init() {}
}
