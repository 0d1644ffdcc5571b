import Foundation
import KalshiKit
import StorageKit

/// The JSON market snapshot exports in a folder, read as `MarketSnapshot` records: the hourly
/// archive export (`market_snapshots-YYYYMMDDTHH.jsonl`, one record a line) and the legacy latest
/// files (`latest_market_snapshot*.json`: one raw `GET /events/{ticker}` response plus `"title"`,
/// decoded like a live poll). The one reader of these files for `backfill snapshots`,
/// `parity`/`verify` counts, so every command sees the same records.
///
/// A latest file carries no time: its poll is dated by the file's modification second (the legacy
/// watchdog rewrote it right after each poll). When the archive export already holds its markets
/// within `latestOverlapSeconds` before that second, the latest file is the same poll and yields
/// nothing new.
///
/// An actor on its own `BlockingExecutor`: file reads and parsing never block the cooperative pool.
public actor MarketSnapshotExport {
    /// One file of the export, in loading order (hour files by hour, then latest files).
    public enum Unit: Sendable, Hashable, CustomStringConvertible {
        case hourFile(name: String, hour: Int64)
        case latestFile(name: String)

        public var name: String {
            switch self {
            case .hourFile(let name, _), .latestFile(let name): return name
            }
        }
        public var description: String { name }
    }

    /// A line or market that could not be read, with its raw text and the reason.
    public struct Rejected: Sendable, Equatable {
        public var file: String
        /// 1-based line of an hour file; `nil` for a latest file.
        public var line: Int?
        public var raw: String
        public var reason: String
    }

    /// The records of one unit.
    public struct Batch: Sendable {
        public var records: [MarketSnapshot] = []
        public var rejected: [Rejected] = []
        /// Records of a latest file already in the archive export (the same poll).
        public var alreadyExported = 0
    }

    /// How far back (seconds) a latest file's poll may have been exported already.
    public static let latestOverlapSeconds: Int64 = 5

    public nonisolated let directory: String
    private let archive: JSONArchiveReader<MarketSnapshot>
    private let executor = BlockingExecutor(label: "recio.snapshot.export")

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// - Throws: `MigrationError(.invalidSource)` when `directory` is not a folder.
    public init(directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw MigrationError(.invalidSource, subject: directory, "no such folder")
        }
        guard isDirectory.boolValue else {
            throw MigrationError(.invalidSource, subject: directory, "is a file; give the folder holding latest_market_snapshot.json and market_snapshots-*.jsonl")
        }
        self.directory = directory
        self.archive = try JSONArchiveReader<MarketSnapshot>(directory: directory)
    }

    /// Whether `name` is a legacy latest snapshot file.
    static func isLatestFile(_ name: String) -> Bool {
        name.hasPrefix("latest_market_snapshot") && name.hasSuffix(".json")
    }

    /// The files of the export, hour files oldest first, then the latest files.
    public func units() async throws -> [Unit] {
        var units: [Unit] = []
        for name in try await archive.files() {
            if let hour = Self.hour(of: name) { units.append(.hourFile(name: name, hour: hour)) }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        units += names.filter(Self.isLatestFile).sorted().map { .latestFile(name: $0) }
        return units
    }

    /// Lines (hour files) or 1 (latest files): the progress total.
    public func size(of unit: Unit) -> Int {
        switch unit {
        case .latestFile: return 1
        case .hourFile(let name, _):
            let data = FileManager.default.contents(atPath: directory + "/" + name) ?? Data()
            return data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
    }

    /// Reads one unit.
    public func read(_ unit: Unit) async throws -> Batch {
        switch unit {
        case .hourFile(let name, let hour):
            let result = try await archive.read(from: hour, to: hour + 3600)
            var batch = Batch(records: result.records)
            if !result.rejected.isEmpty {
                let lines = (FileManager.default.contents(atPath: directory + "/" + name) ?? Data())
                    .split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                for r in result.rejected {
                    let raw = r.line - 1 < lines.count ? String(decoding: lines[r.line - 1], as: UTF8.self) : ""
                    batch.rejected.append(Rejected(file: r.file, line: r.line, raw: raw, reason: r.reason))
                }
            }
            // Records of another hour in this file (not where the writer puts them) are still records.
            return batch
        case .latestFile(let name):
            return try await readLatest(name)
        }
    }

    /// Decoded archive records per UTC hour of their capture second (hour start → count), and the
    /// newest record's second: the export stops there when the JSON writer is dropped. (A latest
    /// file's modification second is no bound: it may fall a second after its poll, into the
    /// PostgreSQL-only polls that follow.)
    public func hourlyCounts() async throws -> (counts: [Int64: Int], rejected: Int, last: Int64?) {
        var counts: [Int64: Int] = [:]
        var rejected = 0
        var last: Int64?
        for unit in try await units() {
            guard case .hourFile = unit else { continue }
            let batch = try await read(unit)
            rejected += batch.rejected.count
            for record in batch.records {
                counts[record.second - ((record.second % 3600) + 3600) % 3600, default: 0] += 1
                last = max(last ?? record.second, record.second)
            }
        }
        return (counts, rejected, last)
    }

    private func readLatest(_ name: String) async throws -> Batch {
        let path = directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date else {
            throw MigrationError(.invalidSource, subject: path, "cannot read the file; check its permissions")
        }
        let second = Int64(modified.timeIntervalSince1970)
        var batch = Batch()
        let raw = String(decoding: data, as: UTF8.self)
        let document: OrderedJSON
        do {
            document = try OrderedJSON.parse(data)
        } catch {
            // The legacy watchdog rewrote this file in place: a copy taken mid-write is cut short.
            batch.rejected.append(Rejected(file: name, line: nil, raw: raw, reason: "not valid JSON (a torn legacy write?): \(error)"))
            return batch
        }
        let event: EventSnapshot
        do {
            event = try EventSnapshot.decode(document, second: second, request: name)
        } catch {
            batch.rejected.append(Rejected(file: name, line: nil, raw: raw, reason: "not an event response: \(error)"))
            return batch
        }
        for invalid in event.invalidMarkets {
            batch.rejected.append(Rejected(file: name, line: nil, raw: invalid.ticker ?? "", reason: invalid.description))
        }
        let exported = try await archive.read(from: second - Self.latestOverlapSeconds, to: second + 1).records
        let exportedTickers = Set(exported.map(\.marketTicker))
        for record in event.markets {
            if exportedTickers.contains(record.marketTicker) {
                batch.alreadyExported += 1
            } else {
                batch.records.append(record)
            }
        }
        return batch
    }

    /// The hour a `market_snapshots-YYYYMMDDTHH.jsonl` name stands for.
    static func hour(of name: String) -> Int64? {
        let prefix = MarketSnapshot.dataset + "-"
        guard name.hasPrefix(prefix), name.hasSuffix(".jsonl") else { return nil }
        let stamp = Array(name.dropFirst(prefix.count).dropLast(".jsonl".count))
        guard stamp.count == 11, stamp[8] == "T" else { return nil }
        let digits = String(stamp[0..<8] + stamp[9..<11])
        guard digits.allSatisfy(\.isASCII), let _ = Int(digits) else { return nil }
        let c = Array(digits)
        guard let y = Int(String(c[0..<4])), let m = Int(String(c[4..<6])), let d = Int(String(c[6..<8])), let h = Int(String(c[8..<10])) else { return nil }
        let civil = CivilDateTime(year: y, month: m, day: d, hour: h)
        guard civil.isValid else { return nil }
        return civil.epochSecondsAsUTC
    }
}
