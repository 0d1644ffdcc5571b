/// A failure of `recioctl backup`, `archive` or `archive --restore`: a refused file, a failed
/// check, a failed tool, a bad manifest. The description names the file and what to do.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure (extensible).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A file may not be archived: a service still writes it, a process holds it open.
        public static let refused = Code("refused")
        /// A copy failed its check (integrity, row counts, digest after the round trip).
        public static let verificationFailed = Code("verification_failed")
        /// `zstd` is missing or failed.
        public static let toolFailed = Code("tool_failed")
        /// A file could not be read or written.
        public static let io = Code("io")
        /// A manifest is unreadable, of another format or version, or names a missing archive.
        public static let invalidManifest = Code("invalid_manifest")
        /// Restoring would overwrite a different file (use `--force`).
        public static let restoreConflict = Code("restore_conflict")
    }

    public let code: Code
    /// The file or folder concerned.
    public let subject: String
    public let message: String

    public init(_ code: Code, subject: String, _ message: String) {
        self.code = code
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}
