import Synchronization

/// The process-wide view of every open spool, for the daemon runner: `STATUS=` shows the backlog
/// and the health check fails while any spool is full. Spools report themselves; nothing else
/// writes here.
public final class SpoolMonitor: Sendable {
    /// The one monitor of this process.
    public static let shared = SpoolMonitor()

    /// One spool's figures at its last change.
    public struct Entry: Sendable, Equatable {
        public var records: Int
        public var bytes: Int64
        public var limitBytes: Int64
        public var full: Bool
    }

    private let entries = Mutex<[String: Entry]>([:])

    func update(_ directory: String, _ entry: Entry) { entries.withLock { $0[directory] = entry } }
    func remove(_ directory: String) { entries.withLock { _ = $0.removeValue(forKey: directory) } }

    /// Every open spool by folder.
    public var snapshot: [String: Entry] { entries.withLock { $0 } }

    /// Records waiting in all spools.
    public var backlog: Int { snapshot.values.reduce(0) { $0 + $1.records } }

    /// The folders of the spools that reached their limit.
    public var fullSpools: [String] { snapshot.filter(\.value.full).keys.sorted() }

    /// `spool 120 rows` / `SPOOL FULL (…)`, or `nil` when every spool is empty.
    public var statusPart: String? {
        let full = fullSpools
        if !full.isEmpty { return "SPOOL FULL: \(full.joined(separator: ", ")) (\(backlog) rows waiting)" }
        let rows = backlog
        return rows > 0 ? "spooled \(rows) rows" : nil
    }
}
