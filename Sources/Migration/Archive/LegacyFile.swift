import Foundation

/// A legacy data file a backup or archive takes: an SQLite database, a JSON document, a JSON-lines
/// archive export, or a text file (heartbeat). SQLite companions (`-wal`, `-shm`, `-journal`) are
/// never files of their own: they travel with their database.
public struct LegacyFile: Sendable, Hashable {
    /// Absolute, standardised path.
    public var path: String
    public var kind: BundleManifest.FileKind

    public init(path: String, kind: BundleManifest.FileKind) {
        self.path = path
        self.kind = kind
    }

    /// The 16-byte header every SQLite 3 database starts with.
    static let sqliteHeader = Array("SQLite format 3\0".utf8)

    /// Classifies the file at `path` by its content (the SQLite header) and name.
    /// - Throws: `MigrationError(.io)` when it is missing, not a regular file, or unreadable.
    public static func classify(_ path: String) throws -> LegacyFile {
        let clean = URL(fileURLWithPath: path).standardizedFileURL.path
        var info = stat()
        guard stat(clean, &info) == 0 else {
            throw MigrationError(.io, subject: clean, "cannot use it: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw MigrationError(.io, subject: clean, "is not a regular file")
        }
        guard let handle = FileHandle(forReadingAtPath: clean) else {
            throw MigrationError(.io, subject: clean, "cannot open for reading: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if Array(head) == sqliteHeader { return LegacyFile(path: clean, kind: .sqlite) }
        if clean.hasSuffix(".db") || clean.hasSuffix(".sqlite") || clean.hasSuffix(".sqlite3") {
            if info.st_size == 0 { return LegacyFile(path: clean, kind: .sqlite) }
            throw MigrationError(.io, subject: clean, "is named like an SQLite database but is not one (no SQLite header)")
        }
        if clean.hasSuffix(".jsonl") { return LegacyFile(path: clean, kind: .jsonLines) }
        if clean.hasSuffix(".json") { return LegacyFile(path: clean, kind: .json) }
        return LegacyFile(path: clean, kind: .text)
    }

    /// Whether a file name in a legacy folder is a dataset a backup or archive takes: databases,
    /// JSON documents, JSON-lines exports and heartbeat text files; not SQLite companions,
    /// temporary files or earlier bundles.
    public static func isDatasetName(_ name: String) -> Bool {
        guard !name.hasPrefix(".") else { return false }
        if [".db-wal", ".db-shm", ".db-journal", "-wal", "-shm", "-journal"].contains(where: { name.hasSuffix($0) }) { return false }
        return [".db", ".sqlite", ".sqlite3", ".json", ".jsonl"].contains(where: { name.hasSuffix($0) })
            || (name.hasSuffix(".txt") && name.contains("heartbeat"))
    }

    /// The dataset files directly inside `directory`, sorted by path.
    public static func discover(in directory: String) throws -> [LegacyFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError(.io, subject: directory, "cannot list the folder: \(error.localizedDescription)")
        }
        var files: [LegacyFile] = []
        for name in names.sorted() where isDatasetName(name) {
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            files.append(try classify(path))
        }
        return files
    }

    /// Files or folders (their dataset files) named on the command line or in the config,
    /// deduplicated, in order.
    public static func expand(_ paths: [String]) throws -> [LegacyFile] {
        var seen = Set<String>()
        var out: [LegacyFile] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            let clean = URL(fileURLWithPath: path).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: clean, isDirectory: &isDirectory) else {
                throw MigrationError(.io, subject: clean, "no such file or folder")
            }
            let found = isDirectory.boolValue ? try discover(in: clean) : [try classify(clean)]
            for file in found where seen.insert(file.path).inserted { out.append(file) }
        }
        return out
    }
}
