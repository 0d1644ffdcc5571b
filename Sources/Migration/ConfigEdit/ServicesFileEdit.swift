import Foundation
import ServiceKit
import StorageKit

/// One edit of `services.json` that moves a service to another stage's layout: only the values of
/// `writers`, `primary` and `reader` in that service's entry change; every other byte of the file
/// (order, spacing, other services) stays as the operator wrote it. The result is validated by
/// the daemons' own strict loader before anything is written.
public struct ServicesFileEdit: Sendable {
    /// The file as read.
    public let path: String
    public let original: Data
    /// The file after the edit.
    public let edited: Data
    /// The edited file, loaded by the strict loader.
    public let config: ServicesConfig

    /// Computes the edit (nothing is written). Throws `StageError(.invalidConfig)` when the edited
    /// file does not load, naming the JSON path.
    public init(path: String, original: Data, service: ServiceName, layout: StageLayout) throws {
        self.path = path
        self.original = original
        var bytes = [UInt8](original)
        let entry = ["services", service.rawValue]
        var replacements: [(Range<Int>, String)] = []
        func quoted(_ kind: WriterKind) -> String { "\"\(kind.rawValue)\"" }
        let fields: [(String, String?)] = [
            ("writers", "[" + layout.writers.map(quoted).joined(separator: ", ") + "]"),
            ("primary", quoted(layout.primary)),
            ("reader", layout.reader.map(quoted)),
        ]
        for (key, text) in fields {
            guard let text else { continue }
            guard let span = JSONValueSpan.find(entry + [key], in: bytes) else {
                throw StageError(.invalidConfig, service: service, "\(path): $.services.\(service.rawValue).\(key) not found; add it by hand")
            }
            replacements.append((span, text))
        }
        // Replace from the end so earlier ranges stay valid.
        for (span, text) in replacements.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
            bytes.replaceSubrange(span, with: Array(text.utf8))
        }
        self.edited = Data(bytes)
        do {
            self.config = try ServicesConfig.parse(edited, file: path)
        } catch {
            throw StageError(.invalidConfig, service: service, "the edited file would not load: \(error)")
        }
    }

    /// A unified-style diff of the changed lines, for `--dry-run`.
    public var diff: String {
        let old = String(decoding: original, as: UTF8.self).components(separatedBy: "\n")
        let new = String(decoding: edited, as: UTF8.self).components(separatedBy: "\n")
        var out = "--- \(path)\n+++ \(path) (edited)\n"
        // The edit replaces values in place, so lines pair up one to one unless a value spanned lines.
        if old.count == new.count {
            for (n, (a, b)) in zip(old, new).enumerated() where a != b {
                out += "@@ line \(n + 1) @@\n-\(a)\n+\(b)\n"
            }
        } else {
            let first = zip(old, new).prefix { $0 == $1 }.count
            let last = zip(old.reversed(), new.reversed()).prefix { $0 == $1 }.count
            out += "@@ line \(first + 1) @@\n"
            for line in old[first..<max(first, old.count - last)] { out += "-\(line)\n" }
            for line in new[first..<max(first, new.count - last)] { out += "+\(line)\n" }
        }
        return out
    }

    /// Saves a timestamped copy of the original beside the file (`services.json.20261125T184700Z.bak`,
    /// same permissions), then replaces the file atomically. Returns the backup's path.
    @discardableResult
    public func write(now: Date) throws -> String {
        let backup = "\(path).\(Self.stamp(now)).bak"
        let mode = Self.permissions(of: path)
        var candidate = backup
        var n = 1
        while FileManager.default.fileExists(atPath: candidate) {
            n += 1
            candidate = "\(backup).\(n)"
        }
        try AtomicFile.write(original, to: candidate, permissions: mode)
        try AtomicFile.write(edited, to: path, permissions: mode)
        return candidate
    }

    /// Puts the original contents back (after a failed apply), atomically.
    public func restore() throws {
        try AtomicFile.write(original, to: path, permissions: Self.permissions(of: path))
    }

    static func permissions(of path: String) -> mode_t {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.posixPermissions] as? NSNumber).map { mode_t($0.uint16Value) } ?? 0o640
    }

    /// `20261125T184700Z`.
    static func stamp(_ date: Date) -> String {
        UTCTime.iso8601(epochSeconds: Int64(date.timeIntervalSince1970.rounded(.down)))
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}
