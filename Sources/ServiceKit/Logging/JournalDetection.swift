import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The facts that decide whether this process logs to journald natively, gathered separately so
/// tests can state them instead of depending on how they were started.
public struct JournalDetection: Sendable, Hashable {
    /// `$JOURNAL_STREAM` (`device:inode` of the stream systemd connected stdout/stderr to).
    public var journalStream: String?
    /// `device:inode` of the current stderr, or `nil` if it could not be determined.
    public var stderrIdentity: String?
    /// Whether journald's native socket exists.
    public var journalSocketExists: Bool
    /// Whether stderr is a terminal (someone is watching it interactively).
    public var stderrIsTerminal: Bool

    public init(journalStream: String?, stderrIdentity: String?, journalSocketExists: Bool, stderrIsTerminal: Bool) {
        self.journalStream = journalStream
        self.stderrIdentity = stderrIdentity
        self.journalSocketExists = journalSocketExists
        self.stderrIsTerminal = stderrIsTerminal
    }

    /// The facts for this process, reading `$JOURNAL_STREAM` from `environment`.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> JournalDetection {
        var status = stat()
        let identity = fstat(STDERR_FILENO, &status) == 0 ? "\(status.st_dev):\(status.st_ino)" : nil
        return JournalDetection(
            journalStream: environment["JOURNAL_STREAM"].flatMap { $0.isEmpty ? nil : $0 },
            stderrIdentity: identity,
            journalSocketExists: access(LogDestination.defaultJournalSocket, F_OK) == 0,
            stderrIsTerminal: isatty(STDERR_FILENO) == 1
        )
    }

    /// Native journald logging is used when `$JOURNAL_STREAM` is set and still describes stderr
    /// (as `systemd.exec(5)` recommends checking: a child whose stderr was redirected must not
    /// hijack it), or, without `$JOURNAL_STREAM`, when the journal socket exists and stderr is
    /// not a terminal.
    public var prefersJournal: Bool {
        if let journalStream {
            return stderrIdentity == nil || stderrIdentity == journalStream
        }
        return journalSocketExists && !stderrIsTerminal
    }
}
