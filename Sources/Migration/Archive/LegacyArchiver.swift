import Foundation
import ServiceKit
import StorageKit

/// `recioctl archive`: moves legacy files that nothing writes any more out of the runtime path,
/// into a verified, compressed bundle.
///
/// Every file is checked first: no service of the config still writes or reads it, and no process
/// holds it (or its `-wal`/`-shm`/`-journal`) open, from `/proc`. If any check fails for any file,
/// nothing is archived and the reasons are reported. Then each file is copied (byte for byte, or
/// through `VACUUM INTO` when a `-wal`/hot journal holds part of the database), integrity-checked,
/// compressed, hashed and verified by a round trip; the manifest is written; the files are checked
/// for holders once more and only then removed. A file whose bundle entry is not verified is never
/// removed.
public struct LegacyArchiver: Sendable {
    public struct Options: Sendable {
        public var config: ServicesConfig
        /// Files or folders (their dataset files) to archive.
        public var paths: [String]
        /// The folder bundles are written under.
        public var destination: String
        /// Only report what would happen.
        public var dryRun: Bool

        public init(config: ServicesConfig, paths: [String], destination: String, dryRun: Bool = false) {
            self.config = config
            self.paths = paths
            self.destination = destination
            self.dryRun = dryRun
        }
    }

    /// One file and whether it may be archived.
    public struct PlannedFile: Sendable {
        public var file: LegacyFile
        public var size: Int64
        /// Why it may not be archived (empty: it may).
        public var refusals: [String]
    }

    /// How a run ended.
    public enum Outcome: String, Sendable {
        /// `--dry-run`: nothing was written or removed.
        case dryRun = "dry run"
        /// A check failed: nothing was archived or removed.
        case refused
        /// Every file was archived, verified and removed.
        case archived
    }

    /// What a run did.
    public struct Report: Sendable {
        public var outcome: Outcome
        public var plan: [PlannedFile]
        public var manifestPath: String?
        public var manifest: BundleManifest?
        /// Files (and companions) removed from the runtime path.
        public var removed: [String] = []
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    /// Checks every file (config, holders) without changing anything.
    public func plan() throws -> [PlannedFile] {
        let files = try LegacyFile.expand(options.paths)
        let usage = LegacyStoreUsage(config: options.config)
        let scan = OpenFileScanner.scan(files.map(\.path))
        let destination = URL(fileURLWithPath: options.destination).standardizedFileURL.path
        return files.map { file in
            var refusals = usage.users(of: file)
            for holder in scan.holders where OpenFileScanner.companions(of: file.path).contains(holder.path) {
                refusals.append("still open: \(holder)")
            }
            var info = stat()
            _ = stat(file.path, &info)
            let blind = scan.uninspectable.filter { $0.uid == info.st_uid }
            if !blind.isEmpty {
                refusals.append("cannot confirm no process holds it: the descriptors of process(es) "
                    + blind.prefix(5).map { String($0.pid) }.joined(separator: ", ") + " of its owner (uid \(info.st_uid)) are not readable; run as root or as that user")
            }
            if file.path.hasPrefix(destination + "/") {
                refusals.append("lies inside the archive destination \(destination)")
            }
            return PlannedFile(file: file, size: Int64(info.st_size), refusals: refusals)
        }
    }

    /// Checks, then (unless a dry run or refused) archives, verifies and removes.
    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Report {
        let plan = try plan()
        guard !plan.isEmpty else { throw MigrationError(.io, subject: options.paths.joined(separator: ", "), "no legacy file to archive there") }
        if plan.contains(where: { !$0.refusals.isEmpty }) { return Report(outcome: .refused, plan: plan) }
        if options.dryRun { return Report(outcome: .dryRun, plan: plan) }

        let folder = try BundleFolder.create(destination: options.destination, kind: .archive)
        let bundler = try DatasetBundler(directory: folder)
        var entries: [BundleManifest.Entry] = []
        do {
            for (index, planned) in plan.enumerated() {
                try Task.checkCancellation()
                progress("archive [\(index + 1)/\(plan.count)] \(planned.file.path): copying")
                let entry = try await bundler.add(planned.file, index: index + 1, live: false)
                progress("archive [\(index + 1)/\(plan.count)] \(planned.file.path): \(BundleReport.describe(entry))")
                entries.append(entry)
            }
            await bundler.finish()
        } catch {
            await bundler.finish()
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        let manifest = BundleManifest(kind: .archive, created: UTCTime.iso8601(epochSeconds: Int64(Date().timeIntervalSince1970)),
                                      host: BundleFolder.hostName, config: options.config.file, entries: entries)
        let manifestPath = folder + "/" + BundleManifest.fileName
        try manifest.save(path: manifestPath)

        // Last look before removing: a process may have opened a file while it was being copied.
        let late = OpenFileScanner.scan(entries.map(\.path))
        guard late.holders.isEmpty else {
            throw MigrationError(.refused, subject: late.holders[0].path,
                               "opened while being archived (\(late.holders.map(\.description).joined(separator: "; "))); "
                                   + "the verified bundle \(manifestPath) is kept and nothing was removed")
        }
        var removed: [String] = []
        for entry in entries where entry.verified {
            // The file must still be what was archived (or, through SQLite, what was snapshotted from it).
            let now = try await bundler.digest(entry.path)
            guard now == entry.originalSHA256 else {
                throw MigrationError(.refused, subject: entry.path, "changed after it was archived; not removed (bundle \(manifestPath) kept, removed so far: \(removed.count))")
            }
            for path in OpenFileScanner.companions(of: entry.path) where FileManager.default.fileExists(atPath: path) {
                guard unlink(path) == 0 else {
                    throw MigrationError(.io, subject: path, "cannot remove: \(String(cString: strerror(errno)))")
                }
                removed.append(path)
            }
            try? AtomicFile.syncDirectory((entry.path as NSString).deletingLastPathComponent)
        }
        progress("archive: \(entries.count) file(s) verified in \(manifestPath); \(removed.count) removed from the runtime path")
        return Report(outcome: .archived, plan: plan, manifestPath: manifestPath, manifest: manifest, removed: removed)
    }
}
