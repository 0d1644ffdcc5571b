#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Replaces a file so that a reader sees either the old or the new contents, never a mix, and the
/// new contents survive a power loss once `write` returns: write a temporary file in the same
/// folder, fsync it, rename it over the target, fsync the folder.
public enum AtomicFile {
    /// Atomically replaces (or creates) `path` with `data`; the file gets exactly `permissions`
    /// (not reduced by the umask).
    public static func write(_ data: Data, to path: String, permissions: mode_t = 0o640) throws {
        let (folder, name) = split(path)
        let temporary = "\(folder)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw ioError("create a temporary file for", path) }
        do {
            defer { close(fd) }
            guard fchmod(fd, permissions) == 0 else { throw ioError("set the permissions of", temporary) }
            try writeAll(fd, data, path: temporary)
            guard fsync(fd) == 0 else { throw ioError("fsync", temporary) }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let failure = ioError("rename a temporary file over", path)
            unlink(temporary)
            throw failure
        }
        try syncDirectory(folder)
    }

    /// fsyncs a folder, making a rename or a file creation in it durable.
    public static func syncDirectory(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open the folder", folder) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ioError("fsync the folder", folder) }
    }

    /// Writes all of `data` to `fd`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                let n = Darwin.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ioError("write", path)
                }
                offset += n
            }
        }
    }

    /// `StorageError(.io)` for the current `errno`, with what to check.
    static func ioError(_ action: String, _ path: String) -> StorageError {
        let code = errno
        let hint: String
        switch code {
        case EACCES, EPERM, EROFS: hint = "check the owner and permissions of the file and its folder"
        case ENOSPC, EDQUOT: hint = "disk full: free space on the file system"
        case ENOENT, ENOTDIR: hint = "check that the folder exists"
        default: hint = "check the file system"
        }
        return StorageError(.io, subject: path, "could not \(action) \(path): \(String(cString: strerror(code))) (errno \(code)); \(hint)")
    }

    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }
}
