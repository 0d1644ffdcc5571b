import Foundation
import StorageKit

/// The folders bundles live in: `<destination>/<kind>-YYYYMMDDTHHMMSSZ/` holding `manifest.json`
/// and the compressed files, and the listing of a destination (`recioctl backup --list`).
public enum BundleFolder {
    /// One bundle found in a destination.
    public struct Summary: Sendable, Codable, Equatable {
        public var manifest: String
        public var kind: String
        public var created: String
        public var files: Int
        public var size: Int64
        public var archiveSize: Int64
        /// Every entry passed its round trip when written.
        public var verified: Bool
        /// Why the manifest could not be read (the other fields are then empty).
        public var problem: String?
    }

    /// A new, empty bundle folder for `kind` under `destination` (created 0750 if missing).
    static func create(destination: String, kind: BundleManifest.Kind, now: Date = Date()) throws -> String {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: destination, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw MigrationError(.io, subject: destination, "cannot create the destination folder: \(error.localizedDescription)")
        }
        let stamp = UTCTime.iso8601(epochSeconds: Int64(now.timeIntervalSince1970)).filter { $0 != "-" && $0 != ":" }
        var path = "\(destination)/\(kind.rawValue)-\(stamp)"
        var n = 1
        while fm.fileExists(atPath: path) {
            n += 1
            path = "\(destination)/\(kind.rawValue)-\(stamp)-\(n)"
        }
        return path
    }

    /// The bundles directly under `destination`, oldest first.
    public static func list(destination: String) throws -> [Summary] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: destination)
        } catch {
            throw MigrationError(.io, subject: destination, "cannot list the backups folder: \(error.localizedDescription)")
        }
        var out: [Summary] = []
        for name in names.sorted() {
            let path = "\(destination)/\(name)/\(BundleManifest.fileName)"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                let m = try BundleManifest.load(path: path)
                out.append(Summary(manifest: path, kind: m.kind.rawValue, created: m.created, files: m.entries.count,
                                   size: m.totalSize, archiveSize: m.totalArchiveSize, verified: m.entries.allSatisfy(\.verified)))
            } catch {
                out.append(Summary(manifest: path, kind: "?", created: "", files: 0, size: 0, archiveSize: 0, verified: false, problem: "\(error)"))
            }
        }
        return out.sorted { ($0.created, $0.manifest) < ($1.created, $1.manifest) }
    }

    /// This host's name, for the manifest.
    static var hostName: String { ProcessInfo.processInfo.hostName }
}
