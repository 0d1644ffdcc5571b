#if canImport(Glibc)
import Glibc
#endif

/// Gives back the resident pages of the files this process has mapped (its executable, the shared
/// libraries) that hold nothing but the file's own bytes; pages still in use come back on their
/// next access.
///
/// Why: most of a daemon's resident memory is its statically linked executable's text, and most of
/// that is not code it runs but neighbours of code it ran once. A page fault on a file mapping maps
/// what the page cache holds around the faulting page (fault-around), and with the disk's
/// read-ahead (8 MiB on the machines measured) a cold fault first reads megabytes around it in large
/// folios. What the dynamic loader reads (relocations, symbol tables), and the start-up code
/// (argument parsing, config, migrations check, connecting) are mapped that way and would otherwise
/// stay in RSS for the daemon's life. (`scripts/build-release` also shrinks the first and packs the
/// code a daemon runs together; this gives back what is left.)
///
/// What: for every private mapping of a file that is not writable and none of whose pages was
/// copied on write (smaps `Anonymous: 0 kB`), `MADV_DONTNEED`: its page-table entries go, the pages
/// stay in the page cache (now unmapped, so the kernel may reclaim them first), and an access
/// faults the page back in, identical, because an untouched private mapping holds exactly the
/// file's bytes. Writable mappings and read-only ones with copied pages (RELRO after relocation,
/// any text relocation) are never touched. Behaviour is unchanged; the cost is the minor faults
/// that bring back the pages still in use, once after each call (about 10 ms of CPU in
/// btc-price-watchdog), and reading smaps (about 2 ms).
///
/// Between reading smaps and `madvise`, a clean read-only mapping could only gain a copied page if
/// someone made it writable and wrote to it: the loader does that only for text relocations of a
/// library being `dlopen`ed at that moment (x86-64 shared libraries have none; a library being
/// relocated is mapped writable and skipped).
public enum MappedFilePages {
    /// One mapping of `/proc/self/smaps` with what this type needs of it.
    public struct Mapping: Sendable, Hashable {
        public var start: UInt
        public var end: UInt
        /// `r-xp`/`rw-s`-style permissions as the kernel prints them.
        public var permissions: String
        public var path: String
        /// `Anonymous:` in KiB: pages of this mapping copied on write (or never backed by the file).
        public var anonymousKiB: Int

        public init(start: UInt, end: UInt, permissions: String, path: String, anonymousKiB: Int) {
            self.start = start
            self.end = end
            self.permissions = permissions
            self.path = path
            self.anonymousKiB = anonymousKiB
        }

        /// A private, read-only mapping of a file with no copied page: it holds only the file's bytes.
        public var holdsOnlyFileBytes: Bool {
            let p = Array(permissions.utf8)
            return path.hasPrefix("/") && p.count == 4 && p[1] != UInt8(ascii: "w") && p[3] == UInt8(ascii: "p") && anonymousKiB == 0
        }
    }

    /// What `release()` did.
    public struct Outcome: Sendable, Hashable {
        /// Mappings whose pages were released, and how many KiB of them were resident before.
        public var released = 0
        public var releasedResidentKiB = 0
        /// `madvise` calls the kernel refused (nothing is released from such a mapping).
        public var refused = 0
    }

    /// Releases the resident pages of every mapping of this process that `holdsOnlyFileBytes`.
    @discardableResult
    public static func release() -> Outcome {
        var outcome = Outcome()
        guard let smaps = readAll("/proc/self/smaps") else { return outcome }
        for (mapping, residentKiB) in parse(smaps) where mapping.holdsOnlyFileBytes && residentKiB > 0 {
            guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(address, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 {
                outcome.released += 1
                outcome.releasedResidentKiB += residentKiB
            } else {
                outcome.refused += 1
            }
        }
        return outcome
    }

    /// The mappings of a `/proc/PID/smaps` text, each with its `Rss:` in KiB.
    public static func parse(_ smaps: [UInt8]) -> [(Mapping, residentKiB: Int)] {
        var result: [(Mapping, residentKiB: Int)] = []
        var lineStart = 0
        while lineStart < smaps.count {
            var lineEnd = lineStart
            while lineEnd < smaps.count && smaps[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let line = smaps[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            guard let first = line.first else { continue }
            if isLowerHexDigit(first) {
                if let mapping = header(line) { result.append((mapping, 0)) }
            } else if !result.isEmpty, let (key, kib) = field(line) {
                if key == "Anonymous" { result[result.count - 1].0.anonymousKiB = kib }
                if key == "Rss" { result[result.count - 1].residentKiB = kib }
            }
        }
        return result
    }

    /// `start-end perms offset dev inode   path`
    private static func header(_ line: ArraySlice<UInt8>) -> Mapping? {
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5 else { return nil }
        let range = fields[0].split(separator: UInt8(ascii: "-"))
        guard range.count == 2, let start = hex(range[0]), let end = hex(range[1]), end > start else { return nil }
        var path = ""
        if fields.count == 6 {
            var p = fields[5][...]
            while let c = p.first, c == UInt8(ascii: " ") { p = p.dropFirst() }
            path = String(decoding: p, as: UTF8.self)
        }
        return Mapping(start: start, end: end, permissions: String(decoding: fields[1], as: UTF8.self), path: path, anonymousKiB: 0)
    }

    /// `Key:   123 kB`
    private static func field(_ line: ArraySlice<UInt8>) -> (String, Int)? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        var value = 0
        var digits = 0
        for c in line[(colon + 1)...] {
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                value = value &* 10 &+ Int(c - UInt8(ascii: "0"))
                digits += 1
            } else if digits > 0 {
                break
            }
        }
        guard digits > 0 else { return nil }
        return (String(decoding: line[..<colon], as: UTF8.self), value)
    }

    private static func isLowerHexDigit(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
    }

    private static func hex(_ digits: ArraySlice<UInt8>) -> UInt? {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var value: UInt = 0
        for c in digits {
            guard isLowerHexDigit(c) else { return nil }
            value = value << 4 | UInt(c <= UInt8(ascii: "9") ? c - UInt8(ascii: "0") : c - UInt8(ascii: "a") + 10)
        }
        return value
    }

    /// The whole of a (procfs) file, read with plain `read(2)`; nil when it cannot be opened.
    static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}
