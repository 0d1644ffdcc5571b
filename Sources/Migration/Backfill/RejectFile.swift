import Foundation
import StorageKit

/// Rows a backfill could not load, pgloader-style: `PATH` holds the raw rows (one a line,
/// tab-separated in the source's column order, PostgreSQL COPY text escaping, `\N` for NULL) and
/// `PATH.log` the reason for each, line for line. Nothing is ever dropped silently.
public final class RejectFile {
    /// The data file; the reasons are in `logPath`.
    public let path: String
    public var logPath: String { path + ".log" }
    private let data: FileHandle
    private let log: FileHandle
    /// Rows written so far by this instance.
    public private(set) var count = 0

    /// Opens (creating) both files; `append` keeps earlier content (a resumed run), otherwise they are truncated.
    public init(path: String, append: Bool) throws {
        self.path = path
        let fm = FileManager.default
        for file in [path, path + ".log"] where !append || !fm.fileExists(atPath: file) {
            guard fm.createFile(atPath: file, contents: nil) else {
                throw MigrationError(.io, subject: file, "cannot create the reject file")
            }
        }
        do {
            data = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            log = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".log"))
            try data.seekToEnd()
            try log.seekToEnd()
        } catch {
            throw MigrationError(.io, subject: path, "cannot open the reject file: \(error.localizedDescription)")
        }
    }

    deinit {
        try? data.close()
        try? log.close()
    }

    /// Appends one raw row and its reason.
    public func write(_ values: SQLiteRowValues, reason: String) throws {
        let line = values.map(Self.field).joined(separator: "\t") + "\n"
        do {
            try data.write(contentsOf: Data(line.utf8))
            try log.write(contentsOf: Data("\(reason)\n".utf8))
        } catch {
            throw MigrationError(.io, subject: path, "cannot write the reject file: \(error.localizedDescription)")
        }
        count += 1
    }

    /// Forces both files to disk (before a checkpoint says these rows are done).
    public func sync() throws {
        do {
            try data.synchronize()
            try log.synchronize()
        } catch {
            throw MigrationError(.io, subject: path, "cannot sync the reject file: \(error.localizedDescription)")
        }
    }

    static func field(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return "\\N"
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let s):
            var out = ""
            for c in s.unicodeScalars {
                switch c {
                case "\\": out += "\\\\"
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                default: out.unicodeScalars.append(c)
                }
            }
            return out
        }
    }
}
