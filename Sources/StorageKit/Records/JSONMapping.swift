import Foundation

/// How a record type maps onto JSON (or legacy text) files: a "latest" file overwritten atomically
/// (e.g. `latest_market_snapshot.json`, `btc_logger_heartbeat.txt`), an append-only archive of one
/// JSON object per line, rotated by hour, and/or a document file holding every record in one array
/// (`fills.json` = `{"fills": [...]}`), rewritten atomically as records arrive.
public struct JSONMapping<Record: Sendable>: Sendable {
    /// The latest-file form, if the record has one.
    public var latest: Latest?
    /// The archive-line form, if the record has one.
    public var archive: Archive?
    /// The document form, if the record has one.
    public var document: Document?

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

    /// One file, `{"<member>": [item, item, ...]}` in the indented layout of Python's
    /// `json.dump(..., indent=2)`, holding every record once (by natural key): items already in the
    /// file stay first and as they are, new ones are appended in arrival order.
    public struct Document: Sendable {
        /// The file name inside the writer's folder (`fills.json`).
        public var fileName: String
        /// The top-level member holding the array (`fills`).
        public var member: String
        /// The record as an array item (the object as received).
        public var item: @Sendable (Record) throws -> OrderedJSON
        /// The natural key of an item already in the file (`nil`: the item is kept and matches nothing).
        public var itemKey: @Sendable (OrderedJSON) -> String?
        public init(fileName: String, member: String, item: @escaping @Sendable (Record) throws -> OrderedJSON,
                    itemKey: @escaping @Sendable (OrderedJSON) -> String?) {
            self.fileName = fileName
            self.member = member
            self.item = item
            self.itemKey = itemKey
        }
    }

    public init(latest: Latest? = nil, archive: Archive? = nil, document: Document? = nil) {
        self.latest = latest
        self.archive = archive
        self.document = document
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

extension JSONMapping.Document {
    /// A document whose items are the records' raw JSON objects as received (the legacy account
    /// files hold the API objects unchanged). A raw text that is not a JSON object is an
    /// invalid record (`StorageError(.invalidRecord)`), never a broken file.
    public static func rawObjects(fileName: String, member: String, raw: @escaping @Sendable (Record) -> String,
                                  key: @escaping @Sendable (Record) -> String,
                                  itemKey: @escaping @Sendable (OrderedJSON) -> String?) -> Self {
        .init(fileName: fileName, member: member, item: { record in
            let text = raw(record)
            guard let object = try? OrderedJSON.parse(Array(text.utf8)), case .object = object else {
                throw StorageError(.invalidRecord, subject: fileName, "\(key(record)): the raw JSON is not an object: \(text.prefix(60))")
            }
            return object
        }, itemKey: itemKey)
    }
}
