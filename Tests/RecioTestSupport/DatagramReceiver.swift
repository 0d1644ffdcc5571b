import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bound `AF_UNIX` datagram socket standing in for systemd's notify socket or journald's socket
/// (shared by every test target that runs a daemon).
///
/// Sendable without a lock: the descriptor and address are immutable, and `receive` is only ever
/// awaited by one test at a time.
public final class DatagramReceiver: Sendable {
    /// The address to hand to the code under test (`/…/notify.sock` or `@name`).
    public let address: String
    private let descriptor: Int32
    private let path: String?

    /// Binds a socket file inside `directory`.
    public convenience init(directory: URL, name: String = "notify.sock") throws {
        try self.init(address: directory.appendingPathComponent(name).path)
    }

    /// Binds `address`: an absolute path or an `@` abstract name.
    public init(address: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1))
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        self.descriptor = fd
        self.address = address
        self.path = abstract ? nil : address
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// The next datagram, or `nil` if none arrives within `timeout`. Waits on a dispatch queue so
    /// the cooperative pool stays free for the code under test.
    public func receive(timeout: Duration = .seconds(5)) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.receiveBlocking(timeout: timeout)) }
        }
    }

    /// The next datagram, waiting on the calling thread (for listener threads outside the cooperative pool).
    public func receiveBlocking(timeout: Duration) -> [UInt8]? {
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count < 0 ? nil : Array(buffer[0..<count])
    }

    /// The next datagram as UTF-8 text.
    public func receiveString(timeout: Duration = .seconds(5)) async -> String? {
        await receive(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }
}
