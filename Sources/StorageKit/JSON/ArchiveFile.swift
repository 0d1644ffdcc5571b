#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// One open archive hour file and the natural keys it holds. Used only inside its `JSONWriter`'s
/// isolation (never shared), so it needs no lock.
final class ArchiveFile {
    let path: String
    let fd: Int32
    var keys = ArchiveKeySet()
    var lastUse: UInt64 = DispatchTime.now().uptimeNanoseconds

    init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    private var closed = false
    func close() {
        guard !closed else { return }
        closed = true
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    deinit { close() }
}
