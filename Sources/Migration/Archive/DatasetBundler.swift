import Foundation
import StorageKit

/// Writes legacy files into a bundle folder and proves each copy before it is listed: for every
/// file, a consistent copy (SQLite: `VACUUM INTO` in one read transaction while writers may run, or
/// the bytes of a file nothing holds open; JSON/text: a stable read), `PRAGMA integrity_check` and
/// rows per table, `zstd` compression, SHA-256 of the copy and of the archive, then the round trip:
/// decompress to a temporary file and compare size, digest and row counts.
///
/// An actor on its own `BlockingExecutor`: SQLite, hashing, file copies and the `zstd` process
/// never block the cooperative pool.
actor DatasetBundler {
    /// Where the compressed files go (the manifest is written beside them by the caller).
    nonisolated let directory: String
    private let work: String
    private let executor = BlockingExecutor(label: "recio.bundle")

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Creates `directory` (0750) and its temporary work folder.
    init(directory: String) throws {
        self.directory = directory
        self.work = directory + "/.work"
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            chmod(directory, 0o750)
        } catch {
            throw MigrationError(.io, subject: directory, "cannot create the bundle folder: \(error.localizedDescription)")
        }
    }

    /// Removes the work folder (and whatever a failed file left in it).
    func finish() {
        try? FileManager.default.removeItem(atPath: work)
    }

    /// The SHA-256 (hex) of a file, read on this actor's thread.
    func digest(_ path: String) throws -> String {
        try SHA256.file(path).hex
    }

    /// Copies, checks, compresses and verifies one file; returns its manifest entry.
    /// - Parameter live: writers may still be running (backup): SQLite files that may be written
    ///   are copied with `VACUUM INTO`; otherwise (archive) a file nothing holds is copied byte for byte.
    func add(_ file: LegacyFile, index: Int, live: Bool) throws -> BundleManifest.Entry {
        let base = String(format: "%03d-", index) + (file.path as NSString).lastPathComponent
        let snapshot = work + "/" + base
        let check = work + "/" + base + ".verify"
        defer {
            for path in OpenFileScanner.companions(of: snapshot) + OpenFileScanner.companions(of: check) { unlink(path) }
        }
        var info = stat()
        guard stat(file.path, &info) == 0 else {
            throw MigrationError(.io, subject: file.path, "cannot use it: \(String(cString: strerror(errno)))")
        }
        let original = try SHA256.file(file.path)
        var method = BundleManifest.CopyMethod.fileCopy
        var validJSON: Bool?

        switch file.kind {
        case .sqlite:
            let companions = Self.companionsInUse(file.path)
            if live || !companions.isEmpty {
                method = .sqliteVacuumInto
                try Self.vacuumInto(file.path, snapshot)
            } else {
                try Self.copyBytes(file.path, snapshot)
                let after = try SHA256.file(file.path)
                guard after == original, try SHA256.file(snapshot) == original else {
                    throw MigrationError(.verificationFailed, subject: file.path, "changed while it was copied; is a process still writing it?")
                }
            }
        case .json:
            validJSON = try Self.stableCopy(file.path, snapshot, mustParse: true)
        case .jsonLines, .text:
            _ = try Self.stableCopy(file.path, snapshot, mustParse: false)
        }

        let copy = try SHA256.file(snapshot)
        var rows: [String: Int]?
        var integrity: String?
        switch file.kind {
        case .sqlite:
            let inspection = try Self.inspectSQLite(snapshot, original: file.path)
            guard inspection.integrity == "ok" else {
                throw MigrationError(.verificationFailed, subject: file.path, "PRAGMA integrity_check of the copy: \(inspection.integrity); nothing was archived")
            }
            rows = inspection.rows
            integrity = inspection.integrity
        case .jsonLines:
            rows = ["lines": try Self.lineCount(snapshot)]
        case .json, .text:
            break
        }

        let archiveName = base + "." + Zstd.fileExtension
        let archivePath = directory + "/" + archiveName
        try Zstd.compress(snapshot, to: archivePath)
        let archived = try SHA256.file(archivePath)

        // The round trip: what a restore would write must be the copy, byte for byte and row for row.
        try Zstd.decompress(archivePath, to: check)
        let restored = try SHA256.file(check)
        guard restored == copy else {
            throw MigrationError(.verificationFailed, subject: file.path,
                               "decompressed archive differs from the copy (sha256 \(restored.hex), \(restored.size) bytes; expected \(copy.hex), \(copy.size))")
        }
        switch file.kind {
        case .sqlite:
            let again = try Self.inspectSQLite(check, original: file.path)
            guard again.integrity == "ok", again.rows == rows else {
                throw MigrationError(.verificationFailed, subject: file.path,
                                   "decompressed archive: integrity \(again.integrity), rows \(again.rows) (expected \(rows ?? [:]))")
            }
        case .jsonLines:
            let lines = try Self.lineCount(check)
            guard ["lines": lines] == rows else {
                throw MigrationError(.verificationFailed, subject: file.path, "decompressed archive has \(lines) lines, expected \(rows?["lines"] ?? 0)")
            }
        case .json, .text:
            break
        }

        return BundleManifest.Entry(
            path: file.path, kind: file.kind, method: method, size: copy.size, sha256: copy.hex,
            originalSize: original.size, originalSHA256: original.hex, mode: UInt16(info.st_mode & 0o7777),
            modified: UTCTime.iso8601(epochSeconds: Int64(info.st_mtim.tv_sec)),
            archive: archiveName, compression: "zstd", archiveSize: archived.size, archiveSHA256: archived.hex,
            rows: rows, integrityCheck: integrity, validJSON: validJSON, verified: true)
    }

    // MARK: - Steps (blocking; called on this actor's thread)

    /// SQLite companions that exist and are not empty (a `-wal` with frames, a hot `-journal`):
    /// the main file alone is then not the database, so it is copied through SQLite.
    static func companionsInUse(_ path: String) -> [String] {
        [path + "-wal", path + "-journal"].filter { companion in
            var info = stat()
            return stat(companion, &info) == 0 && info.st_size > 0
        }
    }

    /// `VACUUM INTO`: a consistent, compact, single-file (rollback-journal) snapshot, taken in one
    /// read transaction on a read-only connection, so writers keep going.
    static func vacuumInto(_ source: String, _ target: String) throws {
        do {
            let connection = try SQLiteConnection(path: source, options: .init(busyTimeout: .seconds(30), readOnly: true))
            defer { connection.close() }
            try connection.execute("VACUUM INTO ?", [.text(target)])
        } catch {
            throw MigrationError(.verificationFailed, subject: source, "cannot take a consistent copy with VACUUM INTO: \(error)")
        }
    }

    /// Copies the bytes of `source` to `target` (created 0600, fsynced).
    static func copyBytes(_ source: String, _ target: String) throws {
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw MigrationError(.io, subject: source, "cannot open for reading: \(String(cString: strerror(errno)))")
        }
        defer { try? input.close() }
        unlink(target)
        guard FileManager.default.createFile(atPath: target, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: target) else {
            throw MigrationError(.io, subject: target, "cannot create the copy")
        }
        defer { try? output.close() }
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try output.write(contentsOf: chunk)
            }
            try output.synchronize()
        } catch {
            throw MigrationError(.io, subject: source, "copy to \(target) failed: \(error.localizedDescription)")
        }
    }

    /// A copy of a file another process may be replacing or rewriting: read until two reads in a
    /// row are identical (and, for JSON, parse), at most 20 times. The legacy Kalshi watchdog
    /// rewrote its file in place, so a single read may catch half a document.
    /// - Returns: whether the copy parses as JSON (`true` when parsing is not asked).
    static func stableCopy(_ source: String, _ target: String, mustParse: Bool) throws -> Bool {
        func read() throws -> Data {
            guard let data = FileManager.default.contents(atPath: source) else {
                throw MigrationError(.io, subject: source, "cannot read: \(String(cString: strerror(errno)))")
            }
            return data
        }
        var previous = try read()
        var parses = !mustParse || (try? OrderedJSON.parse(previous)) != nil
        for _ in 0..<20 {
            let current = try read()
            let currentParses = !mustParse || (try? OrderedJSON.parse(current)) != nil
            if current == previous, currentParses { parses = true; break }
            previous = current
            parses = currentParses
            usleep(20_000)
        }
        do {
            unlink(target)
            guard FileManager.default.createFile(atPath: target, contents: previous, attributes: [.posixPermissions: 0o600]) else {
                throw MigrationError(.io, subject: target, "cannot create the copy")
            }
        }
        return parses
    }

    /// `PRAGMA integrity_check` and `count(*)` of every table of the database at `path`
    /// (read-only; `original` names the file in errors).
    static func inspectSQLite(_ path: String, original: String) throws -> (integrity: String, rows: [String: Int]) {
        do {
            let connection = try SQLiteConnection(path: path, options: .init(readOnly: true))
            defer { connection.close() }
            let findings = try connection.query("PRAGMA integrity_check", []).compactMap { $0.first?.text }
            let integrity = findings == ["ok"] ? "ok" : findings.prefix(5).joined(separator: "; ")
            var rows: [String: Int] = [:]
            let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", [])
            for table in tables.compactMap({ $0.first?.text }) {
                let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                if case .integer(let n) = try connection.query("SELECT count(*) FROM \(quoted)", []).first?.first { rows[table] = Int(n) }
            }
            return (integrity, rows)
        } catch let error as MigrationError {
            throw error
        } catch {
            throw MigrationError(.verificationFailed, subject: original, "the copy cannot be read as SQLite: \(error)")
        }
    }

    /// Newline-terminated lines of a file, counted in 1 MiB blocks.
    static func lineCount(_ path: String) throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MigrationError(.io, subject: path, "cannot open for reading")
        }
        defer { try? handle.close() }
        var count = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            count += chunk.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
        return count
    }
}
