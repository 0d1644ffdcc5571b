#if canImport(Glibc)
import Glibc
#endif

/// A failure to create or send on a Unix datagram socket (the systemd notify socket or the journal
/// socket). Carries the `errno` and the address so the operator can tell which socket it was.
public struct DatagramSocketError: Error, Sendable, CustomStringConvertible {
    /// What was being attempted. Extensible: new codes are new static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// `socket(AF_UNIX, SOCK_DGRAM)` failed.
        public static let create = Code("socket_create")
        /// `sendto` failed (socket missing, peer not listening, message too large, ...).
        public static let send = Code("socket_send")
    }

    public var code: Code
    /// The socket address concerned, as systemd spells it.
    public var address: String
    /// The `errno` the kernel reported.
    public var errno: Int32

    public init(_ code: Code, address: String, errno: Int32) {
        self.code = code
        self.address = address
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return "\(address): \(reason) (errno \(errno)) [\(code)]"
    }
}
