import Foundation
import Logging

/// A durable, append-only queue of batches in one folder (one spool per writer and dataset): the
/// backlog a store could not take yet survives a crash, a kill -9 or a power cut.
///
/// - `append` writes one frame (length, record count, CRC-32C, payload; see `SpoolFrame`) and
///   `fsync`s it before returning, so a batch is acknowledged only once it is on disk.
/// - Frames live in numbered segment files (`0000000000000001.seg`, ...); a new segment starts when
///   the current one passes `segmentBytes`, and a segment whose frames were all replayed is deleted.
///   When every frame is replayed, the last segment is truncated to zero.
/// - Opening scans every segment; a torn or corrupt frame (a crash mid-write) is detected by its
///   checksum, logged as a warning and cut off. Every frame before it is kept and replayed.
/// - The frames waiting to be replayed never exceed `limitBytes`: an append that would is refused
///   with `SpoolError(.full)`, logged as an error, and the spool reports `isFull` (the daemon's
///   health check fails) until replay makes room. (On disk, replayed frames of the current segment
///   add at most one segment until the backlog is empty and the segment is truncated.)
/// - A lock file (`flock`) keeps a second process from using the same folder.
///
/// All file I/O runs on the actor's own serial `BlockingExecutor`, never on the cooperative pool.
public actor Spool {
    /// The spool folder.
    public nonisolated let directory: String
    /// The most bytes the spool may hold on disk.
    public nonisolated let limitBytes: Int64
    private let segmentBytes: Int64
    private let lockTimeout: Duration
    private let executor: BlockingExecutor
    private let logger: Logger

    private struct Segment {
        var sequence: UInt64
        var path: String
        var size: Int64
    }
    private struct FrameRef {
        var sequence: UInt64
        var offset: Int64
        var size: Int64
        var records: Int
    }

    private var opened = false
    private var closed = false
    private var lockDescriptor: Int32 = -1
    private var appendDescriptor: Int32 = -1
    private var segments: [Segment] = []
    /// Frames not replayed yet, oldest first.
    private var pending: [FrameRef] = []
    private var pendingHead = 0
    private(set) var pendingRecords = 0
    /// Bytes of the frames not replayed yet: what the limit applies to.
    private var pendingBytes: Int64 = 0
    private var full = false
    private var refusedRecords = 0
    /// Torn frames dropped when the spool was opened (for tests and the journal).
    public private(set) var tornFramesDropped = 0

    /// The file segments are named with; anything else in the folder is ignored.
    static let segmentExtension = "seg"

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Nothing is touched on disk until the first call that needs it.
    /// - Parameters:
    ///   - segmentBytes: the size past which a new segment file is started.
    ///   - lockTimeout: how long to wait for the folder's lock (a killed process may still hold it briefly).
    public init(directory: String, limitBytes: Int64, segmentBytes: Int64 = 8 << 20, lockTimeout: Duration = .seconds(10), logger: Logger) {
        self.directory = directory
        self.limitBytes = limitBytes
        self.segmentBytes = segmentBytes
        self.lockTimeout = lockTimeout
        self.executor = BlockingExecutor(label: "recio.spool")
        var logger = logger
        logger[metadataKey: "spool"] = .string(directory)
        self.logger = logger
    }

    /// Records waiting to be replayed.
    public var recordCount: Int { pendingRecords }
    /// Whether nothing waits to be replayed (opening the spool first, so a backlog left by an
    /// earlier process counts).
    public func isEmpty() throws -> Bool {
        try open()
        return pendingHead == pending.count
    }
    /// Bytes on disk (segments, including replayed frames of the current segment).
    public var diskBytes: Int64 { segments.reduce(0) { $0 + $1.size } }
    /// Bytes waiting to be replayed (what `limitBytes` bounds).
    public var backlogBytes: Int64 { pendingBytes }
    /// Whether the last append was refused for the size limit and no replay has made room since.
    public var isFull: Bool { full }

    /// Opens the folder: takes its lock, scans every segment (dropping a torn tail), and prepares
    /// the last segment for appending. Idempotent.
    public func open() throws {
        guard !opened else { return }
        guard !closed else { throw SpoolError(.closed, path: directory, "the spool is closed") }
        try makeDirectory()
        try lock()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let sequences = names.compactMap { name -> UInt64? in
            guard name.hasSuffix("." + Self.segmentExtension) else { return nil }
            return UInt64(name.dropLast(Self.segmentExtension.count + 1))
        }.sorted()
        for sequence in sequences { try scan(sequence) }
        if segments.isEmpty { try startSegment(1) } else { try openForAppend(segments[segments.count - 1]) }
        opened = true
        publish()
        if pendingRecords > 0 {
            logger.notice("spool holds a backlog from before; it will be replayed",
                          metadata: ["spool.records": "\(pendingRecords)", "spool.bytes": "\(diskBytes)"])
        }
    }

    /// Appends one batch and syncs it to disk. Throws `SpoolError(.full)` when the batch would take
    /// the spool past its limit, `SpoolError(.io)` when it cannot be written (nothing of it is kept).
    public func append(_ payload: [UInt8], records: Int) throws {
        try open()
        let frame = SpoolFrame.encode(payload: payload, records: records)
        guard pendingBytes + Int64(frame.count) <= limitBytes else {
            refusedRecords += records
            if !full {
                full = true
                logger.error("SPOOL FULL: size limit reached; batches are no longer spooled and the health check fails until the store is back and the backlog replays",
                             metadata: ["spool.limit_bytes": "\(limitBytes)", "spool.bytes": "\(pendingBytes)", "spool.records": "\(pendingRecords)"])
            }
            publish()
            throw SpoolError(.full, path: directory,
                             "the spool reached its limit of \(limitBytes) bytes (\(pendingRecords) records waiting); raise spool_max_bytes or bring the store back")
        }
        if segments[segments.count - 1].size > 0, segments[segments.count - 1].size + Int64(frame.count) > segmentBytes {
            try startSegment(segments[segments.count - 1].sequence + 1)
        }
        let index = segments.count - 1
        let start = segments[index].size
        do {
            try writeAll(frame, to: appendDescriptor, path: segments[index].path)
            guard fsync(appendDescriptor) == 0 else { throw ioError("fsync", segments[index].path) }
        } catch {
            // Cut off whatever part of the frame reached the file, so no half record is left behind.
            _ = ftruncate(appendDescriptor, off_t(start))
            throw error
        }
        segments[index].size = start + Int64(frame.count)
        pending.append(FrameRef(sequence: segments[index].sequence, offset: start, size: Int64(frame.count), records: records))
        pendingRecords += records
        pendingBytes += Int64(frame.count)
        publish()
    }

    /// The oldest frames not replayed yet: whole frames, at least one, and no more than
    /// `maxRecords` records unless the first frame alone has more. Does not consume them.
    public func peek(maxRecords: Int) throws -> [(payload: [UInt8], records: Int)] {
        try open()
        var out: [(payload: [UInt8], records: Int)] = []
        var total = 0
        var index = pendingHead
        while index < pending.count {
            let ref = pending[index]
            if !out.isEmpty, total + ref.records > maxRecords { break }
            out.append((try readPayload(ref), ref.records))
            total += ref.records
            index += 1
        }
        return out
    }

    /// Marks the `frames` oldest frames replayed; deletes segments left with nothing to replay, and
    /// truncates the last one when the whole backlog is replayed.
    public func consume(frames: Int) throws {
        try open()
        let count = min(frames, pending.count - pendingHead)
        guard count > 0 else { return }
        for ref in pending[pendingHead..<(pendingHead + count)] {
            pendingRecords -= ref.records
            pendingBytes -= ref.size
        }
        pendingHead += count
        if pendingHead == pending.count {
            pending.removeAll()
            pendingHead = 0
            // Everything replayed: drop older segments, empty the current one.
            for segment in segments.dropLast() { try removeSegment(segment) }
            segments.removeFirst(segments.count - 1)
            guard ftruncate(appendDescriptor, 0) == 0, fsync(appendDescriptor) == 0 else {
                throw ioError("truncate", segments[0].path)
            }
            segments[0].size = 0
        } else {
            let oldest = pending[pendingHead].sequence
            while segments.count > 1, segments[0].sequence < oldest {
                try removeSegment(segments.removeFirst())
            }
            if pendingHead > 4096 {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
        }
        if full, pendingBytes < limitBytes {
            full = false
            logger.notice("spool below its limit again; spooling resumes", metadata: ["spool.bytes": "\(diskBytes)", "spool.refused_records": "\(refusedRecords)"])
        }
        publish()
    }

    /// Releases the lock and the files. What is still spooled stays on disk for the next process.
    public func close() {
        guard !closed else { return }
        closed = true
        if appendDescriptor >= 0 { Foundation.close(appendDescriptor) }
        if lockDescriptor >= 0 { Foundation.close(lockDescriptor) }  // releases the flock
        appendDescriptor = -1
        lockDescriptor = -1
        SpoolMonitor.shared.remove(directory)
    }

    // MARK: - Files

    private func path(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return directory + "/" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + "." + Self.segmentExtension
    }

    private func makeDirectory() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw SpoolError(.io, path: directory, "cannot create the spool folder: \(error.localizedDescription)")
        }
    }

    private func lock() throws {
        let lockPath = directory + "/LOCK"
        let fd = Foundation.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("open", lockPath) }
        // A process that was just killed may still be releasing it: wait a little.
        let attempts = Int(lockTimeout.components.seconds * 10) + Int(lockTimeout.components.attoseconds / 100_000_000_000_000_000)
        for attempt in 0... {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { break }
            guard errno == EWOULDBLOCK || errno == EINTR, attempt < attempts else {
                Foundation.close(fd)
                throw SpoolError(.locked, path: directory, "another process uses this spool (its LOCK file is held); is a second copy of the daemon running?")
            }
            usleep(100_000)
        }
        lockDescriptor = fd
    }

    /// Reads one segment, keeps its valid frames and cuts off a torn tail.
    private func scan(_ sequence: UInt64) throws {
        let file = path(sequence)
        guard let data = FileManager.default.contents(atPath: file) else { throw ioError("read", file) }
        let bytes = [UInt8](data)
        var offset = 0
        scanning: while true {
            switch SpoolFrame.parse(bytes, at: offset) {
            case .end:
                break scanning
            case .frame(let payload, let records):
                pending.append(FrameRef(sequence: sequence, offset: Int64(offset), size: Int64(payload.upperBound - offset), records: records))
                pendingRecords += records
                pendingBytes += Int64(payload.upperBound - offset)
                offset = payload.upperBound
            case .torn(let reason):
                tornFramesDropped += 1
                logger.warning("spool: torn record dropped (a crash or power cut interrupted its write; every earlier record is kept)",
                               metadata: ["spool.file": "\(file)", "spool.offset": "\(offset)",
                                          "spool.dropped_bytes": "\(bytes.count - offset)", "spool.reason": "\(reason)"])
                guard truncate(file, off_t(offset)) == 0 else { throw ioError("truncate", file) }
                let fd = Foundation.open(file, O_RDWR | O_CLOEXEC)
                if fd >= 0 { _ = fsync(fd); Foundation.close(fd) }
                break scanning
            }
        }
        segments.append(Segment(sequence: sequence, path: file, size: Int64(offset)))
    }

    private func startSegment(_ sequence: UInt64) throws {
        if appendDescriptor >= 0 { Foundation.close(appendDescriptor) }
        let segment = Segment(sequence: sequence, path: path(sequence), size: 0)
        try openForAppend(segment, create: true)
        segments.append(segment)
        syncDirectory()
    }

    private func openForAppend(_ segment: Segment, create: Bool = false) throws {
        let fd = Foundation.open(segment.path, O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0), 0o600)
        guard fd >= 0 else { throw ioError("open", segment.path) }
        appendDescriptor = fd
    }

    private func removeSegment(_ segment: Segment) throws {
        guard unlink(segment.path) == 0 || errno == ENOENT else { throw ioError("unlink", segment.path) }
    }

    /// Makes a created or removed segment's directory entry durable.
    private func syncDirectory() {
        let fd = Foundation.open(directory, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); Foundation.close(fd) }
    }

    private func readPayload(_ ref: FrameRef) throws -> [UInt8] {
        let file = path(ref.sequence)
        let fd = Foundation.open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open", file) }
        defer { Foundation.close(fd) }
        var buffer = [UInt8](repeating: 0, count: Int(ref.size))
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(ref.offset) + off_t(done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw ioError("read", file) }
            done += n
        }
        guard case .frame(let payload, _) = SpoolFrame.parse(buffer, at: 0) else {
            throw SpoolError(.io, path: file, "the frame at offset \(ref.offset) changed on disk since it was written")
        }
        return Array(buffer[payload])
    }

    private func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw ioError("write", path) }
            done += n
        }
    }

    private func ioError(_ what: String, _ path: String) -> SpoolError {
        SpoolError(.io, path: path, "\(what) failed: \(String(cString: strerror(errno)))")
    }

    private func publish() {
        SpoolMonitor.shared.update(directory, SpoolMonitor.Entry(records: pendingRecords, bytes: pendingBytes, limitBytes: limitBytes, full: full))
    }
}
