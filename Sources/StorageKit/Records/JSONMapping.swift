import Foundation

/// How a record type maps onto JSON (or legacy text) files: a "latest" file overwritten atomically
/// (e.g. `latest_market_snapshot.json`, `btc_logger_heartbeat.txt`) and/or an append-only archive
/// of one JSON object per line, rotated by hour.
public struct JSONMapping<Record: Sendable>: Sendable {
    /// The latest-file form, if the record has one.
    public var latest: Latest?
    /// The archive-line form, if the record has one.
    public var archive: Archive?

    public struct Latest: Sendable {
        /// File name inside the writer's folder for this record (records of one batch that share a
        /// name: only the last is written).
        public var fileName: @Sendable (Record) -> String
        /// The complete file contents.
        public var contents: @Sendable (Record) throws -> Data
        public init(fileName: @escaping @Sendable (Record) -> String, contents: @escaping @Sendable (Record) throws -> Data) {
            self.fileName = fileName
            self.contents = contents
        }
    }

    public struct Archive: Sendable {
        /// File name prefix; files are `<stream>-YYYYMMDDTHH.jsonl` (UTC hour).
        public var stream: String
        /// The UTC epoch second that decides the hour file a record belongs to.
        public var epochSeconds: @Sendable (Record) -> Int64
        /// One line of JSON, without the newline.
        public var encode: @Sendable (Record) throws -> Data
        /// Rebuilds a record from one line (readers, parity, backfill).
        public var decode: @Sendable (Data) throws -> Record
        public init(
            stream: String,
            epochSeconds: @escaping @Sendable (Record) -> Int64,
            encode: @escaping @Sendable (Record) throws -> Data,
            decode: @escaping @Sendable (Data) throws -> Record
        ) {
            self.stream = stream
            self.epochSeconds = epochSeconds
            self.encode = encode
            self.decode = decode
        }
    }

    public init(latest: Latest? = nil, archive: Archive? = nil) {
        self.latest = latest
        self.archive = archive
    }
}

extension JSONMapping.Archive where Record: Codable {
    /// An archive form that encodes the record with its `Codable` conformance (sorted keys, so the
    /// same record is always the same bytes).
    public static func codable(stream: String, epochSeconds: @escaping @Sendable (Record) -> Int64) -> Self {
        .init(
            stream: stream,
            epochSeconds: epochSeconds,
            encode: { record in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                return try encoder.encode(record)
            },
            decode: { try JSONDecoder().decode(Record.self, from: $0) }
        )
    }
}
