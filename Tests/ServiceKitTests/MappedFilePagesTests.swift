import Foundation
import RecioTestSupport
import Testing
@testable import ServiceKit

@Suite(.timeLimit(.minutes(1)))
struct MappedFilePagesTests {
    @Test func decidesPerMapping() {
        let smaps = """
        55d0c0000000-55d0c2000000 r-xp 00000000 fd:01 1234                       /opt/recio/bin/btc-price-watchdog
        Size:              32768 kB
        Rss:               12000 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        55d0c4000000-55d0c4100000 r--p 02058000 fd:01 1234                       /opt/recio/bin/btc-price-watchdog
        Rss:                1024 kB
        Anonymous:           900 kB
        55d0c4100000-55d0c4200000 rw-p 02158000 fd:01 1234                       /opt/recio/bin/btc-price-watchdog
        Rss:                 300 kB
        Anonymous:           300 kB
        55d0c5000000-55d0c5100000 rw-p 00000000 00:00 0                          [heap]
        Rss:                 144 kB
        Anonymous:           144 kB
        7f0000000000-7f0000100000 rw-p 00000000 00:00 0 
        Rss:                  64 kB
        Anonymous:            64 kB
        7f0000200000-7f0000208000 rw-s 00000000 00:1a 99                         /var/lib/recio/btc_price_history.db-shm
        Rss:                  32 kB
        Anonymous:             0 kB
        7f0000300000-7f0000400000 r-xp 00000000 fd:01 77                         /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)
        Rss:                1600 kB
        Anonymous:             0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
        Rss:                   4 kB
        Anonymous:             0 kB

        """
        let parsed = MappedFilePages.parse(Array(smaps.utf8))
        #expect(parsed.count == 8)
        #expect(parsed.map(\.0.path) == ["/opt/recio/bin/btc-price-watchdog", "/opt/recio/bin/btc-price-watchdog", "/opt/recio/bin/btc-price-watchdog",
                                         "[heap]", "", "/var/lib/recio/btc_price_history.db-shm",
                                         "/usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)", "[vdso]"])
        #expect(parsed.map(\.residentKiB) == [12000, 1024, 300, 144, 64, 32, 1600, 4])
        #expect(parsed[0].0.start == 0x55d0_c000_0000 && parsed[0].0.end == 0x55d0_c200_0000)
        #expect(parsed[1].0.anonymousKiB == 900)
        #expect(parsed.map(\.0.holdsOnlyFileBytes) == [
            true,         // read-only text, nothing copied
            false, false, // RELRO (read-only now, but relocated: copied pages), .data
            false, false, // heap, anonymous
            false,        // shared file mapping (SQLite's shared memory)
            true,         // a library's text
            false,        // the kernel's vdso
        ])
    }

    /// On this very process: a clean read-only private mapping of a file loses its resident pages and
    /// still reads the file's bytes; a mapping whose pages were written (copied) keeps them, whether
    /// it was made read-only afterwards (as RELRO is) or not.
    @Test func releasesOnlyPagesThatHoldTheFilesBytes() async throws {
        try await withTemporaryDirectory { directory in
            let pages = 64
            let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
            let length = pages * pageSize
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 4096) }
            let path = directory.appendingPathComponent("image").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let fd = open(path, O_RDONLY)
            #expect(fd >= 0)
            defer { close(fd) }

            func map(_ protection: Int32) throws -> UnsafeMutablePointer<UInt8> {
                let p = mmap(nil, length, protection, MAP_PRIVATE, fd, 0)
                guard let p, p != MAP_FAILED else { throw MappingFailed(errno: errno) }
                return p.assumingMemoryBound(to: UInt8.self)
            }
            let clean = try map(PROT_READ)
            let relro = try map(PROT_READ | PROT_WRITE)
            let data = try map(PROT_READ | PROT_WRITE)
            defer {
                for p in [clean, relro, data] { munmap(p, length) }
            }
            var sum = 0
            for page in 0..<pages {
                sum &+= Int(clean[page * pageSize])
                relro[page * pageSize] = 0xA5
                data[page * pageSize + 1] = 0x5A
            }
            #expect(mprotect(relro, length, PROT_READ) == 0)
            #expect(sum != 0)

            func resident(_ p: UnsafeMutablePointer<UInt8>) throws -> (rss: Int, anonymous: Int) {
                let smaps = try #require(MappedFilePages.readAll("/proc/self/smaps"))
                let entry = try #require(MappedFilePages.parse(smaps).first { UInt(bitPattern: p) == $0.0.start })
                return (entry.residentKiB, entry.0.anonymousKiB)
            }
            #expect(try resident(clean).rss == length / 1024)

            let outcome = MappedFilePages.release()
            #expect(outcome.released >= 1)
            #expect(outcome.releasedResidentKiB >= length / 1024)

            #expect(try resident(clean).rss == 0)
            #expect(try resident(relro).anonymous == length / 1024)
            #expect(try resident(data).anonymous == length / 1024)
            for page in 0..<pages {
                #expect(clean[page * pageSize] == bytes[page * pageSize])
                #expect(relro[page * pageSize] == 0xA5 && relro[page * pageSize + 1] == bytes[page * pageSize + 1])
                #expect(data[page * pageSize + 1] == 0x5A && data[page * pageSize] == bytes[page * pageSize])
            }
            #expect(Array(UnsafeBufferPointer(start: clean, count: length)) == bytes)
        }
    }

    struct MappingFailed: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { "mmap of the test file failed: errno \(errno)" }
    }
}
