/// A failure of a `recioctl` operation that is not a check result: a bad input file, a bad
/// argument, a store that cannot be reached, a file `backup`/`archive` refuses or cannot restore.
/// The description is what the operator reads: the file or argument, and what to do.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure (extensible).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The input is missing, not SQLite, damaged, or lacks the expected table.
        public static let invalidSource = Code("invalid_source")
        /// A command-line value could not be understood.
        public static let invalidArgument = Code("invalid_argument")
        /// A file the tool writes (reject file, checkpoint) could not be written.
        public static let io = Code("io")
        /// A checkpoint belongs to another source or is unreadable.
        public static let invalidCheckpoint = Code("invalid_checkpoint")
        /// The PostgreSQL role lacks a privilege the command needs.
        public static let permissionDenied = Code("permission_denied")
        /// A file may not be archived: a service still writes it, a process holds it open.
        public static let refused = Code("refused")
        /// A copy failed its check (integrity, row counts, digest after the round trip).
        public static let verificationFailed = Code("verification_failed")
        /// `zstd` is missing or failed.
        public static let toolFailed = Code("tool_failed")
        /// A manifest is unreadable, of another format or version, or names a missing archive.
        public static let invalidManifest = Code("invalid_manifest")
        /// Restoring would overwrite a different file (use `--force`).
        public static let restoreConflict = Code("restore_conflict")
    }

    public let code: Code
    /// The file, folder, table or argument concerned.
    public let subject: String
    public let message: String

    public init(_ code: Code, subject: String, _ message: String) {
        self.code = code
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}
