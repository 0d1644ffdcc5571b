import Foundation
import ServiceKit
import StorageKit

/// `recioctl backup`: before the migration, a verified copy of every legacy store the config
/// names (SQLite files and JSON folders) and of any extra path given, while the daemons keep
/// writing. SQLite files are copied with `VACUUM INTO` (one read transaction: a consistent
/// snapshot), JSON files by a stable read; each copy is integrity-checked, compressed with zstd,
/// hashed, and proven by a round trip before the manifest lists it. Nothing is removed.
/// A failed backup leaves no bundle behind.
public struct LegacyBackup: Sendable {
    public struct Options: Sendable {
        /// The services.json whose legacy stores are backed up (`nil`: only `extraPaths`).
        public var config: ServicesConfig?
        /// More files or folders.
        public var extraPaths: [String]
        /// The folder bundles are written under.
        public var destination: String

        public init(config: ServicesConfig?, extraPaths: [String] = [], destination: String) {
            self.config = config
            self.extraPaths = extraPaths
            self.destination = destination
        }
    }

    /// What a backup wrote.
    public struct Result: Sendable {
        public var manifestPath: String
        public var manifest: BundleManifest
        /// Named paths that did not exist (a JSON folder not created yet), skipped.
        public var missing: [String]
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    /// The files the backup takes, and the named paths that do not exist.
    public func files() throws -> (files: [LegacyFile], missing: [String]) {
        var paths = options.config.map { LegacyStoreUsage(config: $0).namedPaths } ?? []
        var missing: [String] = []
        paths = paths.filter { path in
            if FileManager.default.fileExists(atPath: path) { return true }
            missing.append(path)
            return false
        }
        return (try LegacyFile.expand(paths + options.extraPaths), missing)
    }

    /// Runs the backup; `progress` receives one line per step.
    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Result {
        let (files, missing) = try files()
        guard !files.isEmpty else {
            throw MigrationError(.io, subject: options.config?.file ?? "backup", "no legacy file to back up (named in the config or given)")
        }
        let folder = try BundleFolder.create(destination: options.destination, kind: .backup)
        let bundler = try DatasetBundler(directory: folder)
        do {
            var entries: [BundleManifest.Entry] = []
            for (index, file) in files.enumerated() {
                try Task.checkCancellation()
                progress("backup [\(index + 1)/\(files.count)] \(file.path): copying")
                let entry = try await bundler.add(file, index: index + 1, live: true)
                progress("backup [\(index + 1)/\(files.count)] \(file.path): \(BundleReport.describe(entry))")
                entries.append(entry)
            }
            await bundler.finish()
            let manifest = BundleManifest(kind: .backup, created: UTCTime.iso8601(epochSeconds: Int64(Date().timeIntervalSince1970)),
                                          host: BundleFolder.hostName, config: options.config?.file, entries: entries)
            let path = folder + "/" + BundleManifest.fileName
            try manifest.save(path: path)
            return Result(manifestPath: path, manifest: manifest, missing: missing)
        } catch {
            await bundler.finish()
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }
}
