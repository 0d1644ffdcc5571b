import Foundation
import StorageKit

/// `recioctl archive --restore MANIFEST`: puts the files of a backup or archive bundle back at
/// their original paths (or into another folder), the rollback of the legacy stores.
///
/// Each archive's SHA-256 is checked against the manifest, it is decompressed to a temporary file
/// beside its target, the content's size and SHA-256 are checked again, and the temporary file is
/// renamed over the target (atomic; fsynced) with the original's permissions and modification second (a legacy
/// latest snapshot file is dated by it). A target that already
/// holds the same content is left alone. Conflicts are found before anything is written: a different
/// existing file, or a stale SQLite `-wal`/`-journal` beside the target, refuses the restore unless
/// `force` (the stale companions are then removed); a target held open by a process always refuses.
///
/// An actor on its own `BlockingExecutor`: decompression and hashing never block the cooperative pool.
public actor BundleRestorer {
    public struct Options: Sendable {
        public var manifest: String
        /// Overwrite different existing files.
        public var force: Bool
        /// Restore into this folder (same file names) instead of the original paths.
        public var targetDirectory: String?

        public init(manifest: String, force: Bool = false, targetDirectory: String? = nil) {
            self.manifest = manifest
            self.force = force
            self.targetDirectory = targetDirectory
        }
    }

    /// What happened to one entry.
    public enum Outcome: String, Sendable, Codable {
        case restored
        case replaced
        case alreadyPresent = "already present"
    }

    public struct Row: Sendable, Codable {
        public var path: String
        public var outcome: Outcome
        public var size: Int64
    }

    public nonisolated let options: Options
    private let executor = BlockingExecutor(label: "recio.restore")

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public init(options: Options) {
        self.options = options
    }

    public func run(progress: @Sendable (String) -> Void = { _ in }) throws -> [Row] {
        let manifest = try BundleManifest.load(path: options.manifest)
        let folder = (URL(fileURLWithPath: options.manifest).standardizedFileURL.path as NSString).deletingLastPathComponent
        let targets = manifest.entries.map { target(for: $0) }

        // Everything that could stop the restore is found before anything is written.
        var conflicts: [String] = []
        var present: [Bool] = []
        let holders = OpenFileScanner.scan(targets).holders
        for (entry, target) in zip(manifest.entries, targets) {
            let archive = folder + "/" + entry.archive
            guard FileManager.default.fileExists(atPath: archive) else {
                throw MigrationError(.invalidManifest, subject: archive, "the archive of \(entry.path) is missing from the bundle")
            }
            for holder in holders where OpenFileScanner.companions(of: target).contains(holder.path) {
                conflicts.append("\(target): still open, cannot be replaced under a running process (\(holder))")
            }
            var same = false
            if FileManager.default.fileExists(atPath: target) {
                let existing = try SHA256.file(target)
                same = existing.hex == entry.sha256 && existing.size == entry.size
                if !same, !options.force {
                    conflicts.append("\(target): exists with different content (sha256 \(existing.hex.prefix(16))…, \(existing.size) bytes); pass --force to replace it")
                }
            }
            if entry.kind == .sqlite, !same, !options.force {
                for companion in DatasetBundler.companionsInUse(target) {
                    conflicts.append("\(companion): a stale SQLite companion would be applied to the restored database; pass --force to remove it")
                }
            }
            present.append(same)
        }
        guard conflicts.isEmpty else {
            throw MigrationError(.restoreConflict, subject: options.manifest, "nothing restored:\n  " + conflicts.joined(separator: "\n  "))
        }

        var rows: [Row] = []
        for (index, (entry, target)) in zip(manifest.entries, targets).enumerated() {
            let label = "restore [\(index + 1)/\(manifest.entries.count)] \(target)"
            if present[index] {
                progress("\(label): already present")
                rows.append(Row(path: target, outcome: .alreadyPresent, size: entry.size))
                continue
            }
            let archive = folder + "/" + entry.archive
            let archived = try SHA256.file(archive)
            guard archived.hex == entry.archiveSHA256, archived.size == entry.archiveSize else {
                throw MigrationError(.verificationFailed, subject: archive, "does not match its manifest entry (sha256 \(archived.hex), expected \(entry.archiveSHA256)); the bundle is damaged")
            }
            let parent = (target as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            } catch {
                throw MigrationError(.io, subject: parent, "cannot create the folder: \(error.localizedDescription)")
            }
            let temporary = "\(parent)/.\((target as NSString).lastPathComponent).restore-\(getpid())"
            do {
                try Zstd.decompress(archive, to: temporary)
                let content = try SHA256.file(temporary)
                guard content.hex == entry.sha256, content.size == entry.size else {
                    throw MigrationError(.verificationFailed, subject: archive, "decompresses to sha256 \(content.hex) (\(content.size) bytes), expected \(entry.sha256) (\(entry.size))")
                }
                guard chmod(temporary, mode_t(entry.mode)) == 0,
                      let handle = FileHandle(forUpdatingAtPath: temporary) else {
                    throw MigrationError(.io, subject: temporary, "cannot set the permissions or sync: \(String(cString: strerror(errno)))")
                }
                try? handle.synchronize()
                try? handle.close()
                // The original's modification second: a legacy latest snapshot file is dated by it.
                if let modified = UTCTime.parseEpochSeconds(entry.modified) {
                    let time = timespec(tv_sec: Int(modified), tv_nsec: 0)
                    var times = [time, time]
                    guard utimensat(AT_FDCWD, temporary, &times, 0) == 0 else {
                        throw MigrationError(.io, subject: temporary, "cannot set the modification time: \(String(cString: strerror(errno)))")
                    }
                }
                let existed = FileManager.default.fileExists(atPath: target)
                if entry.kind == .sqlite {
                    for companion in OpenFileScanner.companions(of: target).dropFirst() { unlink(companion) }
                }
                guard rename(temporary, target) == 0 else {
                    throw MigrationError(.io, subject: target, "cannot move the restored file into place: \(String(cString: strerror(errno)))")
                }
                try AtomicFile.syncDirectory(parent)
                let outcome: Outcome = existed ? .replaced : .restored
                progress("\(label): \(outcome.rawValue)")
                rows.append(Row(path: target, outcome: outcome, size: entry.size))
            } catch {
                unlink(temporary)
                throw error
            }
        }
        return rows
    }

    private nonisolated func target(for entry: BundleManifest.Entry) -> String {
        guard let directory = options.targetDirectory else { return entry.path }
        return URL(fileURLWithPath: directory).standardizedFileURL.path + "/" + (entry.path as NSString).lastPathComponent
    }
}
