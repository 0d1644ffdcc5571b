#if canImport(Glibc)
import Glibc
#endif

/// One unbound `AF_UNIX`/`SOCK_DGRAM` socket, owned for its lifetime, that sends whole datagrams to
/// an address given per call (as `sd_notify` and `sd_journal_sendv` do, so a peer that restarts and
/// re-creates its socket is reached again on the next send).
///
/// Sendable without a lock: the only state is the immutable descriptor, and the kernel makes
/// concurrent `sendto` calls on one datagram socket atomic per datagram.
final class UnixDatagramSocket: Sendable {
    private let descriptor: Int32

    init(address: UnixSocketAddress) throws(DatagramSocketError) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DatagramSocketError(.create, address: address.description, errno: errno) }
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Asks for a send buffer of `bytes` (best effort; the kernel may grant less).
    func setSendBufferSize(_ bytes: Int32) {
        var size = bytes
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends `bytes` as one datagram, retrying only on `EINTR`.
    func send(_ bytes: [UInt8], to address: UnixSocketAddress) throws(DatagramSocketError) {
        let result: Int = bytes.withUnsafeBytes { buffer in
            address.withSockAddr { sockaddr, length in
                var sent: Int
                repeat {
                    sent = sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), sockaddr, length)
                } while sent < 0 && errno == EINTR
                return sent < 0 ? -Int(errno) : sent
            }
        }
        if result < 0 { throw DatagramSocketError(.send, address: address.description, errno: Int32(-result)) }
    }
}
