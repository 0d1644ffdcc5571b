import Foundation

/// Finds the processes that hold a file open, from `/proc` (no `lsof`, which may be absent): the
/// `/proc/PID/fd/*` links (open descriptors) and `/proc/PID/maps` (memory-mapped files, which is
/// how SQLite holds a WAL database's `-shm`). A file is looked for together with its SQLite
/// companions (`-wal`, `-shm`, `-journal`).
public enum OpenFileScanner {
    /// One process holding one of the files.
    public struct Holder: Sendable, Equatable, CustomStringConvertible {
        public var pid: Int32
        /// `/proc/PID/comm`.
        public var command: String
        /// The file held.
        public var path: String
        /// `fd` or `mmap`.
        public var how: String
        public var description: String { "process \(pid) (\(command)) holds \(path) (\(how))" }
    }

    /// What a scan found.
    public struct Scan: Sendable {
        public var holders: [Holder] = []
        /// Processes whose descriptors could not be read (another user's, without root), with their uid.
        public var uninspectable: [(pid: Int32, uid: UInt32)] = []
    }

    /// The files a path stands for: itself and its SQLite companions.
    public static func companions(of path: String) -> [String] {
        [path, path + "-wal", path + "-shm", path + "-journal"]
    }

    /// Scans every process for `paths` (absolute, standardised; companions added).
    public static func scan(_ paths: [String]) -> Scan {
        var wanted = Set<String>()
        for path in paths { wanted.formUnion(companions(of: path)) }
        var scan = Scan()
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: "/proc") else { return scan }
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            let base = "/proc/\(entry)"
            let command = ((try? String(contentsOfFile: base + "/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
            var found = Set<String>()
            if let fds = try? fm.contentsOfDirectory(atPath: base + "/fd") {
                for fd in fds {
                    guard let target = try? fm.destinationOfSymbolicLink(atPath: base + "/fd/" + fd) else { continue }
                    let clean = target.hasSuffix(" (deleted)") ? String(target.dropLast(10)) : target
                    if wanted.contains(clean), found.insert(clean + "|fd").inserted {
                        scan.holders.append(Holder(pid: pid, command: command, path: clean, how: "fd"))
                    }
                }
            } else if fm.fileExists(atPath: base) {
                var info = stat()
                if stat(base, &info) == 0 { scan.uninspectable.append((pid, info.st_uid)) }
                continue
            }
            if let maps = try? String(contentsOfFile: base + "/maps", encoding: .utf8) {
                for line in maps.split(separator: "\n") {
                    // address perms offset dev inode pathname
                    guard let slash = line.firstIndex(of: "/") else { continue }
                    let mapped = String(line[slash...])
                    if wanted.contains(mapped), found.insert(mapped + "|mmap").inserted {
                        scan.holders.append(Holder(pid: pid, command: command, path: mapped, how: "mmap"))
                    }
                }
            }
        }
        scan.holders.sort { ($0.path, $0.pid) < ($1.path, $1.pid) }
        return scan
    }
}
