import Foundation
import StorageKit

/// The manifest of a backup or archive bundle: one JSON file (`manifest.json`) beside the
/// compressed files it lists. Backups and archives share the format, so `archive --restore`
/// takes either. Versioned: a reader refuses a format or version it does not know.
public struct BundleManifest: Codable, Sendable, Equatable {
    /// The format name every manifest carries.
    public static let formatName = "recio-legacy-bundle"
    /// The version this code writes and reads.
    public static let currentVersion = 1
    /// The manifest's file name inside its bundle folder.
    public static let fileName = "manifest.json"

    /// Why the bundle was made.
    public enum Kind: String, Codable, Sendable {
        /// A copy of live stores; nothing was removed.
        case backup
        /// Stores no longer written, removed from the runtime path after verification.
        case archive
    }

    /// What a file is.
    public enum FileKind: String, Codable, Sendable {
        case sqlite
        /// A JSON document (`latest_market_snapshot.json`, `btc_price_change.json`, ...).
        case json
        /// JSON lines (the hourly archive export).
        case jsonLines = "jsonl"
        /// Anything else (heartbeat files).
        case text
    }

    /// How the stored copy was taken.
    public enum CopyMethod: String, Codable, Sendable {
        /// `VACUUM INTO` inside one read transaction: a consistent snapshot while writers run.
        case sqliteVacuumInto = "sqlite-vacuum-into"
        /// The file's bytes, while nothing held it open (restores byte-identical).
        case fileCopy = "file-copy"
    }

    /// One file of the bundle.
    public struct Entry: Codable, Sendable, Equatable {
        /// Absolute path of the original; `archive --restore` puts the file back here.
        public var path: String
        public var kind: FileKind
        public var method: CopyMethod
        /// Size and SHA-256 of the stored content (what a restore writes).
        public var size: Int64
        public var sha256: String
        /// Size and SHA-256 of the original file when it was read (equal to the above for a file
        /// copy; for a live SQLite file, the main file at the time, which the snapshot may differ from).
        public var originalSize: Int64
        public var originalSHA256: String
        /// Permission bits of the original (restored with the file).
        public var mode: UInt16
        /// The original's modification time, UTC ISO 8601.
        public var modified: String
        /// The compressed file, relative to the manifest's folder.
        public var archive: String
        public var compression: String
        public var archiveSize: Int64
        public var archiveSHA256: String
        /// Rows per table (SQLite) or lines (`jsonl`); `nil` for other files.
        public var rows: [String: Int]?
        /// `PRAGMA integrity_check` of the copy (`ok`), SQLite only.
        public var integrityCheck: String?
        /// For JSON documents: whether the copy parses (a legacy writer rewrote files in place, so a
        /// copy caught mid-write would not).
        public var validJSON: Bool?
        /// Whether the round trip (decompress to a temporary file, compare size, digest and rows) passed.
        public var verified: Bool
    }

    public var format = Self.formatName
    public var version = Self.currentVersion
    public var kind: Kind
    /// When the bundle was written, UTC ISO 8601.
    public var created: String
    /// The host it was made on.
    public var host: String
    /// The services.json consulted, if any.
    public var config: String?
    public var entries: [Entry]

    public init(kind: Kind, created: String, host: String, config: String?, entries: [Entry]) {
        self.kind = kind
        self.created = created
        self.host = host
        self.config = config
        self.entries = entries
    }

    /// Total size of the originals and of the archives.
    public var totalSize: Int64 { entries.reduce(0) { $0 + $1.size } }
    public var totalArchiveSize: Int64 { entries.reduce(0) { $0 + $1.archiveSize } }

    /// Reads and checks a manifest file.
    public static func load(path: String) throws -> BundleManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MigrationError(.invalidManifest, subject: path, "cannot read the manifest (missing or unreadable)")
        }
        let manifest: BundleManifest
        do {
            manifest = try JSONDecoder().decode(BundleManifest.self, from: data)
        } catch {
            throw MigrationError(.invalidManifest, subject: path, "not a bundle manifest: \(error)")
        }
        guard manifest.format == formatName else {
            throw MigrationError(.invalidManifest, subject: path, "format \"\(manifest.format)\" is not \(formatName)")
        }
        guard manifest.version == currentVersion else {
            throw MigrationError(.invalidManifest, subject: path, "version \(manifest.version) is not supported (this recioctl reads version \(currentVersion))")
        }
        for entry in manifest.entries {
            guard entry.path.hasPrefix("/"), !entry.archive.contains("/"), !entry.archive.isEmpty else {
                throw MigrationError(.invalidManifest, subject: path, "entry \(entry.path) → \(entry.archive): paths must be absolute and archives plain names")
            }
        }
        return manifest
    }

    /// Writes the manifest atomically (temporary file, fsync, rename).
    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try AtomicFile.write(try encoder.encode(self) + Data("\n".utf8), to: path, permissions: 0o640)
        } catch {
            throw MigrationError(.io, subject: path, "cannot write the manifest: \(error)")
        }
    }
}
