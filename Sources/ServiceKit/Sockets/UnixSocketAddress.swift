#if canImport(Glibc)
import Glibc
#endif

/// The address of an `AF_UNIX` socket as systemd spells it: an absolute path (`/run/systemd/notify`)
/// or, with a leading `@`, a Linux abstract-namespace name (`@/org/freedesktop/systemd1/notify/…`).
public struct UnixSocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as given, `@` included for abstract names.
    public let description: String

    /// Accepts an absolute path or an `@`-prefixed abstract name that fits `sun_path`; anything else
    /// (relative paths, `vsock:` addresses, empty strings) is `nil`.
    public init?(_ string: String) {
        guard let first = string.first, first == "/" || first == "@" else { return nil }
        // An abstract name has no terminating NUL; a path needs one.
        let limit = UnixSocketAddress.sunPathCapacity - (first == "@" ? 0 : 1)
        guard string.utf8.count >= 2 || first == "/", string.utf8.count <= limit else { return nil }
        self.description = string
    }

    /// Whether this is a Linux abstract-namespace address (no file on disk).
    public var isAbstract: Bool { description.first == "@" }

    static var sunPathCapacity: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) }

    /// Calls `body` with a `sockaddr_un` for this address and the exact length to pass to the
    /// kernel: for abstract names the leading `@` becomes a NUL and the length stops at the last
    /// byte of the name (no trailing NUL), which is how systemd binds them.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(description.utf8)
        if isAbstract { bytes[0] = 0 }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let length = socklen_t(pathOffset + bytes.count + (isAbstract ? 0 : 1))
        return try withUnsafePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }
}
