/// A spool could not take, read or keep a batch. The description names the spool folder and what
/// the operator should do.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes are new static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The spool reached its configured size limit; the batch was not spooled.
        public static let full = Code("spool_full")
        /// A file or folder of the spool could not be created, written, synced or read.
        public static let io = Code("spool_io")
        /// Another process holds the spool folder's lock.
        public static let locked = Code("spool_locked")
        /// A batch could not be encoded into, or decoded from, its spool bytes.
        public static let encoding = Code("spool_encoding")
        /// The spool was closed.
        public static let closed = Code("spool_closed")
    }

    public var code: Code
    /// The spool folder (or file) concerned.
    public var path: String
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "spool \(path): \(message) [\(code)]" }
}
