import Foundation

/// Reads the hourly archive files a `JSONWriter` appended (`<stream>-YYYYMMDDTHH.jsonl`) back as
/// records, in time order, for parity and backfill. Lines that cannot be decoded are reported with
/// their file and line number rather than failing the read.
///
/// An actor on its own `BlockingExecutor`: the file reads never run on the cooperative pool.
public actor JSONArchiveReader<Record: StorableRecord> {
    /// A line that could not be decoded.
    public struct RejectedLine: Sendable, Equatable, CustomStringConvertible {
        /// File name inside the folder.
        public var file: String
        /// 1-based line number.
        public var line: Int
        public var reason: String
        public var description: String { "\(file):\(line): \(reason)" }
    }

    /// Records and rejected lines of one read.
    public struct ReadResult: Sendable {
        public var records: [Record]
        public var rejected: [RejectedLine]
    }

    /// The folder holding the archive files.
    public nonisolated let directory: String
    private let form: JSONMapping<Record>.Archive
    private let executor = BlockingExecutor(label: "recio.json.reader")

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// - Throws: `StorageError(.unsupportedRecord)` when `Record` has no archive form.
    public init(directory: String) throws {
        guard let form = Record.json?.archive else {
            throw StorageError(.unsupportedRecord, subject: "json:\(directory)", "\(Record.dataset) has no archive form")
        }
        self.directory = directory
        self.form = form
    }

    /// The archive file names of this stream, oldest hour first.
    public func files() throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StorageError(.io, subject: directory, "could not list \(directory): \(error)")
        }
        let prefix = form.stream + "-"
        return names.filter { name in
            name.hasPrefix(prefix) && name.hasSuffix(".jsonl") && Self.hourStart(name, prefix: prefix) != nil
        }.sorted()
    }

    /// Records with `from <= epochSeconds < to` (all when `nil`), ascending by `epochSeconds`
    /// (stable within a second).
    public func read(from: Int64? = nil, to: Int64? = nil) throws -> ReadResult {
        var result = ReadResult(records: [], rejected: [])
        let prefix = form.stream + "-"
        for name in try files() {
            guard let hour = Self.hourStart(name, prefix: prefix) else { continue }
            if let from, hour + 3600 <= from { continue }
            if let to, hour >= to { continue }
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StorageError(.io, subject: path, "could not read \(path); check its permissions")
            }
            var records: [(Int64, Record)] = []
            for (index, line) in JSONArchiveLines(data).enumerated() {
                guard line.terminated else {
                    result.rejected.append(RejectedLine(file: name, line: index + 1, reason: "torn last line (no newline)"))
                    continue
                }
                let record: Record
                do {
                    record = try form.decode(data[line.range])
                } catch {
                    result.rejected.append(RejectedLine(file: name, line: index + 1, reason: "undecodable: \(error)"))
                    continue
                }
                // A line that decodes but breaks the record's rules (a strike that is not a number,
                // a second outside 2000...2100) is rejected here, with its line, rather than
                // handed to a writer that would refuse the whole batch it lands in.
                do {
                    try record.validate()
                } catch {
                    result.rejected.append(RejectedLine(file: name, line: index + 1, reason: "invalid: \(error)"))
                    continue
                }
                let t = form.epochSeconds(record)
                if let from, t < from { continue }
                if let to, t >= to { continue }
                records.append((t, record))
            }
            records.sort { $0.0 < $1.0 }  // stable sort: keeps the file order within a second
            result.records.append(contentsOf: records.map(\.1))
        }
        return result
    }

    /// The UTC epoch second a file's hour starts at, from `<prefix>YYYYMMDDTHH.jsonl`.
    static func hourStart(_ name: String, prefix: String) -> Int64? {
        let stamp = name.dropFirst(prefix.count).dropLast(".jsonl".count)
        guard stamp.count == 11, stamp.dropFirst(8).first == "T" else { return nil }
        let digits = stamp.filter { $0 != "T" }
        guard digits.count == 10, digits.allSatisfy(\.isASCII), let _ = Int(digits) else { return nil }
        let chars = Array(digits)
        guard let y = Int(String(chars[0..<4])), let m = Int(String(chars[4..<6])), let d = Int(String(chars[6..<8])),
              let h = Int(String(chars[8..<10])) else { return nil }
        let civil = CivilDateTime(year: y, month: m, day: d, hour: h)
        guard civil.isValid else { return nil }
        return civil.epochSecondsAsUTC
    }
}
