/// Where one ingest stream stands, stored in PostgreSQL in the same transaction as the rows it
/// covers (`PostgresAtomicBatch`), so a crash at any point resumes with no gap and no duplicate.
///
/// A stream works in passes over a time window `[passMin, passMax]`: while a pass is open,
/// `cursor` is the page to fetch next (`nil` for the first page); when its last page is stored,
/// `watermark` becomes `passMax` and the pass fields are cleared. The next pass starts at the
/// watermark.
public struct IngestCheckpoint: StorableRecord, Hashable {
    /// `fills`, `fills.historical`, `candlesticks.1/KXBTCD-25AUG0817-T116999.99`, ...
    public var stream: String
    public var cursor: String?
    public var passMin: Int64?
    public var passMax: Int64?
    /// Everything up to this UTC epoch second is stored (`nil`: no pass finished yet).
    public var watermark: Int64?
    /// Rows stored by this stream so far.
    public var rows: Int64
    /// UTC epoch seconds of this update.
    public var updatedAt: Int64

    public init(stream: String, cursor: String? = nil, passMin: Int64? = nil, passMax: Int64? = nil, watermark: Int64? = nil,
                rows: Int64 = 0, updatedAt: Int64) {
        self.stream = stream
        self.cursor = cursor
        self.passMin = passMin
        self.passMax = passMax
        self.watermark = watermark
        self.rows = rows
        self.updatedAt = updatedAt
    }

    /// Whether a pass is open (a crash happened mid-pass, or it is in progress).
    public var passOpen: Bool { passMax != nil }

    public static let dataset = "ingest_checkpoints"
    public var naturalKey: String { stream }

    public func validate() throws {
        guard !stream.isEmpty, !stream.utf8.contains(0) else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "empty stream name or a NUL byte in it")
        }
        if let cursor, cursor.utf8.contains(0) {
            throw StorageError(.invalidRecord, subject: Self.dataset, "\(stream): a NUL byte in the cursor")
        }
    }

    /// `ingest_checkpoints`, one row per stream, replaced at every page.
    public static var postgres: PostgresMapping<IngestCheckpoint>? {
        PostgresMapping(
            table: "ingest_checkpoints",
            columns: ["stream", "cursor", "pass_min", "pass_max", "watermark", "rows", "updated_at"],
            conflictColumns: ["stream"],
            onConflict: .updateAll,
            encode: { c in
                [c.stream, c.cursor, c.passMin.map(String.init), c.passMax.map(String.init), c.watermark.map(String.init),
                 String(c.rows), UTCTime.postgresText(epochSeconds: c.updatedAt)]
            },
            decode: { row in
                var r = try PostgresRowCursor(row, dataset: dataset, columns: 7)
                return IngestCheckpoint(stream: try r.text(), cursor: r.optionalText(), passMin: try r.optionalInteger(),
                                        passMax: try r.optionalInteger(), watermark: try r.optionalInteger(), rows: try r.integer(),
                                        updatedAt: try r.epochSeconds())
            }
        )
    }
}
