/// An error a writer or reader reports that is not the native error of one database (those are
/// `PostgresError` and `SQLiteError`). The description is written for the operator reading the
/// journal: what failed, where, and what to do.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes are new static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A record failed validation; nothing of its batch was written.
        public static let invalidRecord = Code("invalid_record")
        /// The record type has no mapping for this kind of store.
        public static let unsupportedRecord = Code("unsupported_record")
        /// The writer was closed.
        public static let closed = Code("closed")
        /// A file could not be read or written.
        public static let io = Code("io")
        /// Stored or legacy data could not be decoded.
        public static let corruptData = Code("corrupt_data")
        /// The store is unavailable and retries ran out.
        public static let unavailable = Code("unavailable")
        /// The database schema is newer than this binary knows.
        public static let schemaTooNew = Code("schema_too_new")
    }

    public var code: Code
    /// The dataset or store the error concerns (`price_history`, `sqlite:/var/lib/recio/btc_price_history.db`).
    public var subject: String
    public var message: String

    public init(_ code: Code, subject: String, _ message: String) {
        self.code = code
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message) [\(code)]" }
}
