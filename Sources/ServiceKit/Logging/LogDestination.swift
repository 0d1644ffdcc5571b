#if canImport(Glibc)
import Glibc
#endif

/// Where a `JournaldLogHandler` writes: natively to journald's socket, or lines to a stream
/// (normally stderr). Shared by every handler copy the logging system creates, so the process opens
/// the journal socket once.
public struct LogDestination: Sendable {
    /// journald's native protocol socket.
    public static let defaultJournalSocket = "/run/systemd/journal/socket"

    enum Kind: Sendable {
        case journal(UnixDatagramSocket, UnixSocketAddress)
        case stream(Int32)
    }

    let kind: Kind
    /// Where lines go when a journal datagram cannot be sent (journald gone, entry too large).
    let fallbackDescriptor: Int32

    /// Native journald entries sent as datagrams to `socketPath`. If a send fails, that entry is
    /// written as a `<N>` line to `fallbackDescriptor` instead, so nothing is silently lost.
    public static func journal(
        socketPath: String = LogDestination.defaultJournalSocket,
        fallbackDescriptor: Int32 = STDERR_FILENO
    ) throws(DatagramSocketError) -> LogDestination {
        guard let address = UnixSocketAddress(socketPath) else {
            throw DatagramSocketError(.create, address: socketPath, errno: EINVAL)
        }
        let socket = try UnixDatagramSocket(address: address)
        // As libsystemd does: a large send buffer lets big entries (stack traces) fit one datagram.
        // The kernel caps it at net.core.wmem_max; an entry that still does not fit goes to the fallback.
        socket.setSendBufferSize(8 * 1024 * 1024)
        return LogDestination(kind: .journal(socket, address), fallbackDescriptor: fallbackDescriptor)
    }

    /// `<N>message key=value` lines written to `fileDescriptor` (stderr by default), one
    /// unbuffered `write(2)` per line.
    public static func stream(fileDescriptor: Int32 = STDERR_FILENO) -> LogDestination {
        LogDestination(kind: .stream(fileDescriptor), fallbackDescriptor: fileDescriptor)
    }

    /// Whether entries go to journald natively.
    public var isJournal: Bool {
        if case .journal = kind { return true }
        return false
    }

    /// Picks journald when `detection` says the process runs under it, else stderr. Falls back to
    /// stderr if the journal socket cannot even be created.
    public static func automatic(_ detection: JournalDetection) -> LogDestination {
        if detection.prefersJournal, let journal = try? LogDestination.journal() { return journal }
        return .stream()
    }

    /// Writes `bytes` with as few `write(2)` calls as the kernel allows (one for any line that
    /// fits a pipe buffer), retrying on `EINTR`. Errors are dropped: there is nowhere left to report them.
    static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
