#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// Writes records as JSON (or legacy text) files, following `Record.json`:
/// - latest mode: for each file name in a batch, the last record's contents replace the file
///   atomically (`AtomicFile`), so a legacy reader never sees a half-written
///   `latest_market_snapshot.json` or heartbeat file;
/// - archive mode: one JSON object a line appended to `<stream>-YYYYMMDDTHH.jsonl` by the record's
///   UTC hour, fsynced after each batch. A record whose natural key is already in its hour file is
///   skipped (the first copy stays), so replaying a batch adds nothing. A torn last line left by a
///   crash is cut off, with a warning, when the file is first touched;
/// - document mode: every record once (by natural key) in one `{"<member>": [...]}` file, in the
///   legacy indented layout; each batch with something new rewrites the file atomically
///   (`AtomicFile`: temporary file, fsync, rename, fsync of the folder), so a reader sees the old or
///   the new list, never a torn one. The items already in the file are read on first use and kept;
///   a file that is not such a document is an error naming it (it is never overwritten).
///
/// An actor on its own `BlockingExecutor`: the blocking file I/O never runs on the cooperative pool.
public actor JSONWriter<Record: StorableRecord>: Writer {
    /// What to write, and where.
    public struct Options: Sendable {
        /// Absolute folder of the files; created (0750) if missing.
        public var directory: String
        /// Write the latest-file form.
        public var latest: Bool
        /// Append to the hourly archive.
        public var archive: Bool
        /// Keep the document file.
        public var document: Bool
        /// Mode of the files created (not reduced by the umask).
        public var permissions: mode_t

        public init(directory: String, latest: Bool = false, archive: Bool = false, document: Bool = false, permissions: mode_t = 0o640) {
            self.directory = directory
            self.latest = latest
            self.archive = archive
            self.document = document
            self.permissions = permissions
        }
    }

    /// `json`.
    public nonisolated let name = "json"
    public nonisolated let options: Options
    private nonisolated let core: WriterCore<Record>
    private let latestForm: JSONMapping<Record>.Latest?
    private let archiveForm: JSONMapping<Record>.Archive?
    private let documentForm: JSONMapping<Record>.Document?
    /// The document file's items and their keys, once read.
    private var documentItems: (items: [OrderedJSON], keys: Set<String>)?
    private let executor: BlockingExecutor
    /// Archive files appended to recently, by file name, with the keys they hold.
    private var openFiles: [String: ArchiveFile] = [:]
    private var directoryReady = false

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Most hour files kept open at once. Records arrive in time order, so the hour being written
    /// and the one before it are the ones in use; every open file keeps its keys in memory (an hour
    /// of market snapshots, 144,000 keys: about 18 KiB in an `ArchiveKeySet`), so older hours are
    /// closed. A replay into an older hour reopens its file and reads its keys back from it.
    static var maxOpenFiles: Int { 2 }

    /// - Throws: `StorageError(.unsupportedRecord)` when `Record` has no JSON mapping, or not the
    ///   requested form, or no form is requested; `StorageError(.io)` for a relative directory.
    public init(options: Options, logger: Logger = Logger(label: "recio.storage.json")) throws {
        let subject = "json:\(options.directory)"
        guard let mapping = Record.json else {
            throw StorageError(.unsupportedRecord, subject: subject, "\(Record.dataset) has no JSON file form")
        }
        guard options.latest || options.archive || options.document else {
            throw StorageError(.unsupportedRecord, subject: subject, "no JSON form (latest, archive, document) was requested for \(Record.dataset)")
        }
        if options.latest, mapping.latest == nil {
            throw StorageError(.unsupportedRecord, subject: subject, "\(Record.dataset) has no latest-file form")
        }
        if options.archive, mapping.archive == nil {
            throw StorageError(.unsupportedRecord, subject: subject, "\(Record.dataset) has no archive form")
        }
        if options.document, mapping.document == nil {
            throw StorageError(.unsupportedRecord, subject: subject, "\(Record.dataset) has no document-file form")
        }
        guard options.directory.hasPrefix("/") else {
            throw StorageError(.io, subject: subject, "the JSON folder must be an absolute path, got \"\(options.directory)\"")
        }
        self.options = options
        self.latestForm = options.latest ? mapping.latest : nil
        self.archiveForm = options.archive ? mapping.archive : nil
        self.documentForm = options.document ? mapping.document : nil
        self.core = WriterCore(name: "json", logger: logger)
        self.executor = BlockingExecutor(label: "recio.json")
    }

    public func write(_ batch: [Record]) async throws {
        // `WriterCore.write` is nonisolated; the `@Sendable` closure hops back onto this actor.
        try await core.write(batch) { @Sendable rows in try await self.persist(rows) }
    }

    /// Archive batches are fsynced as they are written; this fsyncs the open files again.
    public func flush() async throws {
        for file in openFiles.values {
            guard fsync(file.fd) == 0 else { throw AtomicFile.ioError("fsync", file.path) }
        }
    }

    /// Flushes and closes the archive files. Idempotent.
    public func close() async throws {
        guard core.markClosed() else { return }
        defer {
            for file in openFiles.values { file.close() }
            openFiles.removeAll()
        }
        try await flush()
    }

    public func status() async -> WriterStatus { core.status }

    // MARK: - Work

    private func persist(_ rows: [Record]) throws {
        try prepareDirectory()
        if let archiveForm { try append(rows, archiveForm) }
        if let latestForm { try writeLatest(rows, latestForm) }
        if let documentForm { try writeDocument(rows, documentForm) }
    }

    private func writeDocument(_ rows: [Record], _ form: JSONMapping<Record>.Document) throws {
        let path = options.directory + "/" + form.fileName
        var (items, keys) = try documentItems ?? readDocument(path, form)
        let before = items.count
        for row in rows where !keys.contains(row.naturalKey) {
            items.append(try form.item(row))
            keys.insert(row.naturalKey)
        }
        if items.count > before {
            let text = OrderedJSON.object([.init(form.member, .array(items))]).indentedText(indent: 2)
            try AtomicFile.write(Data(text.utf8), to: path, permissions: options.permissions)
        }
        // Kept only once the file holds them: a failed write is retried with the same batch.
        documentItems = (items, keys)
    }

    /// The items and keys of the existing document file (none when it does not exist yet).
    private func readDocument(_ path: String, _ form: JSONMapping<Record>.Document) throws -> (items: [OrderedJSON], keys: Set<String>) {
        guard access(path, F_OK) == 0 else { return ([], []) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StorageError(.io, subject: path, "could not read \(path)")
        }
        let document: OrderedJSON
        do {
            document = try OrderedJSON.parse(data)
        } catch {
            throw StorageError(.io, subject: path, "\(path) is not valid JSON (\(error)); it is left as it is and nothing is written to it")
        }
        guard let items = document[form.member]?.arrayValue else {
            throw StorageError(.io, subject: path, "\(path) has no \"\(form.member)\" array; it is left as it is and nothing is written to it")
        }
        return (items, Set(items.compactMap(form.itemKey)))
    }

    private func prepareDirectory() throws {
        guard !directoryReady else { return }
        do {
            try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        } catch {
            throw StorageError(.io, subject: options.directory, "could not create the folder \(options.directory): \(error)")
        }
        directoryReady = true
    }

    private func writeLatest(_ rows: [Record], _ form: JSONMapping<Record>.Latest) throws {
        var order: [String] = []
        var last: [String: Record] = [:]
        for row in rows {
            let name = form.fileName(row)
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw StorageError(.invalidRecord, subject: Record.dataset, "\"\(name)\" is not a plain file name")
            }
            if last.updateValue(row, forKey: name) == nil { order.append(name) }
        }
        for name in order {
            try AtomicFile.write(try form.contents(last[name]!), to: options.directory + "/" + name, permissions: options.permissions)
        }
    }

    private func append(_ rows: [Record], _ form: JSONMapping<Record>.Archive) throws {
        // Group the new lines by hour file, skipping keys already stored (or earlier in this batch).
        var order: [String] = []
        var pending: [String: (data: Data, keys: [(key: String, second: Int64)])] = [:]
        for row in rows {
            let second = form.epochSeconds(row)
            let name = Self.archiveFileName(stream: form.stream, epochSeconds: second)
            let file = try archiveFile(name, form)
            let key = row.naturalKey
            if file.keys.contains(key, second: second) || pending[name]?.keys.contains(where: { $0.key == key }) == true { continue }
            var line = try form.encode(row)
            guard !line.contains(UInt8(ascii: "\n")) else {
                throw StorageError(.invalidRecord, subject: Record.dataset, "the encoded line for \(key) contains a newline")
            }
            line.append(UInt8(ascii: "\n"))
            if pending[name] == nil { order.append(name) }
            pending[name, default: (Data(), [])].data.append(line)
            pending[name, default: (Data(), [])].keys.append((key, second))
        }
        // Append and fsync each file; on failure cut every file of this batch back to its old end.
        var done: [(ArchiveFile, off_t)] = []
        do {
            for name in order {
                let file = try archiveFile(name, form, keepingOpen: Set(order))
                let end = lseek(file.fd, 0, SEEK_END)
                guard end >= 0 else { throw AtomicFile.ioError("seek in", file.path) }
                done.append((file, end))
                try AtomicFile.writeAll(file.fd, pending[name]!.data, path: file.path)
                guard fsync(file.fd) == 0 else { throw AtomicFile.ioError("fsync", file.path) }
            }
        } catch {
            for (file, end) in done {
                _ = ftruncate(file.fd, end)
                _ = fsync(file.fd)
            }
            throw error
        }
        for (file, _) in done {
            for (key, second) in pending[(file.path as NSString).lastPathComponent]?.keys ?? [] { file.keys.insert(key, second: second) }
        }
    }

    /// The open hour file `name`, opening it (creating it, or loading its keys and repairing a
    /// torn tail) on first use.
    /// Files named in `keepingOpen` (those of the batch being written) are never the ones closed
    /// to stay under `maxOpenFiles`: the batch may still have to cut them back.
    private func archiveFile(_ name: String, _ form: JSONMapping<Record>.Archive, keepingOpen: Set<String> = []) throws -> ArchiveFile {
        if let file = openFiles[name] {
            file.lastUse = DispatchTime.now().uptimeNanoseconds
            return file
        }
        if openFiles.count >= Self.maxOpenFiles,
           let oldest = openFiles.filter({ !keepingOpen.contains($0.key) }).min(by: { $0.value.lastUse < $1.value.lastUse }) {
            oldest.value.close()
            openFiles[oldest.key] = nil
        }
        let path = options.directory + "/" + name
        let existed = access(path, F_OK) == 0
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, options.permissions)
        guard fd >= 0 else { throw AtomicFile.ioError("open", path) }
        let file = ArchiveFile(path: path, fd: fd)
        do {
            if existed {
                try loadKeys(file, form)
            } else {
                guard fchmod(fd, options.permissions) == 0 else { throw AtomicFile.ioError("set the permissions of", path) }
                try AtomicFile.syncDirectory(options.directory)
            }
        } catch {
            file.close()
            throw error
        }
        openFiles[name] = file
        return file
    }

    /// Reads the keys of an existing hour file; cuts off a torn or undecodable last line.
    private func loadKeys(_ file: ArchiveFile, _ form: JSONMapping<Record>.Archive) throws {
        let handle = FileHandle(fileDescriptor: file.fd, closeOnDealloc: false)
        let data: Data
        do {
            try handle.seek(toOffset: 0)
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw StorageError(.io, subject: file.path, "could not read \(file.path): \(error)")
        }
        let lines = JSONArchiveLines(data)
        var goodEnd = 0
        for (index, line) in lines.enumerated() {
            let isLast = index == lines.count - 1
            if let record = try? form.decode(data[line.range]), line.terminated {
                file.keys.insert(record.naturalKey, second: form.epochSeconds(record))
                goodEnd = line.range.upperBound + 1
            } else if isLast {
                core.logger.warning("cutting a torn last line off an archive file", metadata: [
                    "file": .string(file.path), "line": .stringConvertible(index + 1),
                    "bytes": .stringConvertible(data.count - goodEnd),
                ])
                guard ftruncate(file.fd, off_t(goodEnd)) == 0, fsync(file.fd) == 0 else {
                    throw AtomicFile.ioError("truncate the torn tail of", file.path)
                }
            } else {
                core.logger.warning("undecodable line in an archive file, kept as is", metadata: [
                    "file": .string(file.path), "line": .stringConvertible(index + 1),
                ])
                goodEnd = line.range.upperBound + 1
            }
        }
    }

    /// `<stream>-YYYYMMDDTHH.jsonl` for the UTC hour of `epochSeconds`.
    public static func archiveFileName(stream: String, epochSeconds: Int64) -> String {
        let c = CivilDateTime(epochSeconds: epochSeconds)
        var name = stream + "-"
        CivilDateTime.append(c.year, width: 4, to: &name)
        CivilDateTime.append(c.month, width: 2, to: &name)
        CivilDateTime.append(c.day, width: 2, to: &name)
        name += "T"
        CivilDateTime.append(c.hour, width: 2, to: &name)
        return name + ".jsonl"
    }
}
