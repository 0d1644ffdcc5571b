import Foundation
import StorageKit

/// A legacy `btc_price_history.db`, opened read-only for backfill and parity. Opening validates
/// the file (exists, is SQLite, has `price_log` with its key and price columns, and, unless told
/// otherwise, passes `quick_check`) so a wrong or damaged input fails before anything is written
/// anywhere.
///
/// All SQLite work runs on the `SQLiteDatabase` actor's own thread, never on the cooperative pool.
public final class LegacyPriceLogFile: Sendable {
    /// The file.
    public let path: String
    private let database: SQLiteDatabase

    /// Every column of `price_log`, in legacy order (the reject file writes them in this order).
    public static let columns = ["timestamp", "price", "one_minute_avg", "momentum", "delta_1m", "delta_2m",
                                 "delta_3m", "delta_4m", "delta_15m", "delta_30m"]
    static let selectList = columns.joined(separator: ", ")

    /// Opens and validates `path`. Throws `MigrationError(.invalidSource)` with the reason.
    ///
    /// `integrityCheck`: run `PRAGMA quick_check` (a walk of every b-tree of the file) before
    /// anything else. The backfill needs it (nothing may be written from a damaged file), and runs
    /// it on a second opening of the file while this one reads ahead (`PriceHistoryBackfill`).
    /// Parity may skip it: it reads every row it compares, and a damaged page fails that read with
    /// `SQLITE_CORRUPT`, so a damaged file still ends in an error, never in a false OK; on a large
    /// file the walk costs more than the comparison itself.
    public init(path: String, integrityCheck: Bool = true) async throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MigrationError(.invalidSource, subject: path, "no such file")
        }
        guard !isDirectory.boolValue else {
            throw MigrationError(.invalidSource, subject: path, "is a directory; give the path of btc_price_history.db")
        }
        database = SQLiteDatabase(path: path, options: .init(readOnly: true))
        do {
            try await database.read { connection in
                // Pages read through a memory map instead of a `pread` copy each (SQLite clamps
                // the size to its build's limit, 2 GiB by default): on a 25 M-row file the system
                // time of a full scan fell from 1.7-2.9 s to about 1.0 s. Read-only, and the legacy
                // writer never shrinks the file (no VACUUM), so the map stays valid.
                _ = try connection.query("PRAGMA mmap_size = 1099511627776", [])
                if integrityCheck { try connection.quickCheck() }
                let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'price_log'", [])
                guard !tables.isEmpty else {
                    throw MigrationError(.invalidSource, subject: path, "is an SQLite database but has no price_log table (is it btc_price_history.db?)")
                }
                let names = Set(try connection.query("PRAGMA table_info(price_log)", []).compactMap { $0.count > 1 ? $0[1].text : nil })
                let missing = Self.columns.filter { !names.contains($0) }
                guard missing.isEmpty else {
                    throw MigrationError(.invalidSource, subject: path, "price_log lacks the legacy column(s) \(missing.joined(separator: ", "))")
                }
            }
        } catch let error as SQLiteError {
            await database.close()
            switch error.code {
            case .notADatabase: throw MigrationError(.invalidSource, subject: path, "is not an SQLite database (\(error))")
            case .corrupt: throw MigrationError(.invalidSource, subject: path, "the SQLite file is damaged (\(error)); restore it from a backup or recover it first")
            default: throw MigrationError(.invalidSource, subject: path, "cannot be read as SQLite: \(error)")
            }
        } catch {
            await database.close()
            throw error
        }
    }

    /// Closes the file.
    public func close() async { await database.close() }

    /// About how many rows have a text key after `afterKey` (all rows when `nil`), for a progress
    /// bar: the rowid span from the row at `afterKey` (or the first row) to the last one, two index
    /// lookups instead of the count's pass over the key index (about a second per 10 M rows). It is
    /// exact for a file written in time order and never lower than the truth unless rows were
    /// inserted out of key order; a table without rowids falls back to the exact count.
    public func estimatedTextKeys(after afterKey: String?) async throws -> Int {
        let estimate: Int? = try await database.read { connection in
            let rows = try? connection.query(
                "SELECT max(rowid) - coalesce((SELECT rowid FROM price_log WHERE timestamp = ?), min(rowid) - 1) FROM price_log",
                [afterKey.map(SQLiteValue.text) ?? .null])
            guard let rows else { return nil }
            if case .integer(let n) = rows.first?.first { return Int(max(0, n)) }
            return 0
        }
        if let estimate { return estimate }
        return try await countTextKeys(after: afterKey)
    }

    /// Rows with a text key after `afterKey` (all text keys when `nil`).
    public func countTextKeys(after afterKey: String?) async throws -> Int {
        try await database.read { connection in
            let rows = try connection.query("SELECT count(*) FROM price_log WHERE timestamp > ? AND timestamp < x''", [.text(afterKey ?? "")])
            if case .integer(let n) = rows.first?.first { return Int(n) }
            return 0
        }
    }

    /// Rows whose key is not text (NULL, a number or a blob): never legacy-written, always rejects.
    /// SQLite sorts NULL < numbers < text < blobs, so these are two index ranges around the text keys.
    public func nonTextKeyRows() async throws -> [SQLiteRowValues] {
        try await database.read { connection in
            try connection.query("SELECT \(Self.selectList) FROM price_log WHERE timestamp IS NULL OR timestamp < '' ORDER BY timestamp", [])
                + connection.query("SELECT \(Self.selectList) FROM price_log WHERE timestamp >= x'' ORDER BY timestamp", [])
        }
    }

    /// Up to `limit` rows with text keys greater than `afterKey`, in key order (keyset paging on the
    /// primary-key index: memory stays bounded by `limit`).
    public func textKeyRows(after afterKey: String?, limit: Int) async throws -> [SQLiteRowValues] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(Self.selectList) FROM price_log WHERE timestamp > ? AND timestamp < x'' ORDER BY timestamp LIMIT ?",
                [.text(afterKey ?? ""), .integer(Int64(limit))]
            )
        }
    }

    /// One chunk of text-keyed rows read for the backfill, already decoded by `LegacyPriceRule`.
    public struct DecodedChunk: Sendable {
        /// Rows read (ticks + rejects).
        public var read = 0
        /// The loadable rows as ticks (source `legacy_backfill`), in key order.
        public var ticks: [PriceTick] = []
        /// Rows that cannot be loaded, whole, with the reason.
        public var rejects: [(row: SQLiteRowValues, reason: String)] = []
        /// Ticks whose key was in the fall-back hour (read as EST).
        public var ambiguous = 0
        /// The chunk's last key (resume point); `nil` when there were no rows.
        public var lastKey: String?
    }

    /// Up to `limit` rows with text keys greater than `afterKey`, in key order (keyset paging on the
    /// primary-key index: memory stays bounded by `limit`), decoded on the file's own thread
    /// straight from the column bytes: only rejected rows are materialised whole.
    public func decodedTextKeyChunk(after afterKey: String?, limit: Int) async throws -> DecodedChunk {
        try await database.read { connection in
            let statement = try connection.prepare(
                "SELECT \(Self.selectList) FROM price_log WHERE timestamp > ? AND timestamp < x'' ORDER BY timestamp LIMIT ?")
            try statement.bind([.text(afterKey ?? ""), .integer(Int64(limit))])
            defer { statement.reset() }
            var chunk = DecodedChunk()
            chunk.ticks.reserveCapacity(limit)
            var lastKeyBytes: [UInt8] = []
            // Keys arrive in key order, so one local hour after another: the decoder resolves each
            // hour's calendar and DST once (always exactly `LegacyPriceRule.key(bytes:)`).
            var decoder = LegacyKeyDecoder()
            while try statement.step() {
                chunk.read += 1
                let key = statement.withColumnBytes(0) { bytes -> LegacyPriceRule.Key in
                    lastKeyBytes.removeAll(keepingCapacity: true)
                    lastKeyBytes.append(contentsOf: bytes)
                    return decoder.key(bytes: bytes)
                }
                let price = LegacyPriceRule.price(type: statement.columnType(1), double: statement.columnDouble(1))
                switch (key, price) {
                case (.rejected(let reason), _), (_, .rejected(let reason)):
                    // The reason the generic reader gives for this value (it names text prices verbatim).
                    let row = statement.row()
                    let why: String
                    if case .rejected(let r) = LegacyPriceRule.key(row[0]) { why = r }
                    else if case .rejected(let r) = LegacyPriceRule.price(row[1]) { why = r }
                    else { why = reason }
                    chunk.rejects.append((row, why))
                case (.instant(let second, let ambiguous), .cents(let cents)):
                    if ambiguous { chunk.ambiguous += 1 }
                    chunk.ticks.append(PriceTick(second: second, price: USDCents(cents: cents), source: .legacyBackfill))
                }
            }
            if chunk.read > 0 { chunk.lastKey = String(decoding: lastKeyBytes, as: UTF8.self) }
            return chunk
        }
    }

    /// The result of scanning the rows of a UTC window.
    public struct Scan: Sendable {
        /// Checksums per segment: key `k` covers `[origin + k·step, origin + (k+1)·step)`.
        public var segments: [Int64: SegmentChecksum] = [:]
        /// Decoded rows of the window (only when asked for).
        public var rows: [(second: Int64, cents: Int64)] = []
        /// Rows in the searched key range that are not prices (corrupt, impossible keys).
        public var rejected = 0
        /// Rows of the window whose key was ambiguous (fall-back hour) and read as EST.
        public var ambiguous = 0
    }

    /// Scans the rows whose instant lies in `[from, to)`: one pass over the key range widened by an
    /// hour on each side (local time runs an hour back in the fall-back), decoding each key with
    /// `LegacyPriceRule` (through a `LegacyKeyDecoder`), checksumming per segment, and optionally
    /// keeping the rows.
    ///
    /// `wholeTable`: the window covers (nearly) all of the file, so the table is read in storage
    /// order without the key index (one sequential pass instead of an index walk plus a row lookup
    /// per key; the checksums do not depend on order), and the key range is tested here on the key
    /// bytes (SQLite's BINARY order: `memcmp`, then length), cheaper than in SQL. Otherwise the key
    /// index narrows the range. `rowids`: only the rows of this rowid range (parts of one scan read
    /// concurrently on separate connections).
    public func scan(from: Int64, to: Int64, origin: Int64, step: Int64, keepRows: Bool = false, wholeTable: Bool = false,
                     rowids: ClosedRange<Int64>? = nil) async throws -> Scan {
        guard from < to, step > 0 else { return Scan() }
        let low = NewYorkTime.legacyText(epochSeconds: from - 3600)
        let high = NewYorkTime.legacyText(epochSeconds: to + 3600)
        var sql = "SELECT timestamp, price FROM price_log" + (wholeTable ? " NOT INDEXED" : "")
        var conditions: [String] = []
        var parameters: [SQLiteValue] = []
        if !wholeTable {
            conditions.append("timestamp >= ? AND timestamp <= ?")
            parameters += [.text(low), .text(high)]
        }
        if let rowids {
            conditions.append("rowid >= ? AND rowid <= ?")
            parameters += [.integer(rowids.lowerBound), .integer(rowids.upperBound)]
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        return try await database.read { [sql, parameters] connection in
            let statement = try connection.prepare(sql)
            try statement.bind(parameters)
            defer { statement.reset() }
            let lowBytes = Array(low.utf8), highBytes = Array(high.utf8)
            var decoder = LegacyKeyDecoder()
            var scan = Scan()
            // Rows arrive (nearly) in time order: sum into the current segment, and file it in the
            // dictionary only when the segment changes.
            var currentSegment: Int64 = .min
            var current = SegmentChecksum()
            while try statement.step() {
                // What the SQL range would have excluded: keys that are not text (NULL and blobs in
                // this TEXT column), and text keys outside [low, high].
                let isText = statement.columnType(0) == .text
                if wholeTable, !isText { continue }
                guard isText else { scan.rejected += 1; continue }
                // One read of the key's bytes for both the range test and the decoding. A key that
                // decodes to an instant of the window is canonical (`YYYY-MM-DDTHH:MM:SS`, whose text
                // order is local-time order), so it lies within [low, high] — the widening by an hour
                // covers the fall-back — and needs no compare; the others are tested on their bytes.
                let key: LegacyPriceRule.Key? = statement.withColumnBytes(0) { bytes in
                    let key = decoder.key(bytes: bytes)
                    guard wholeTable else { return key }
                    if case .instant(let second, _) = key, second >= from, second < to { return key }
                    return Self.binaryOrder(bytes, lowBytes) >= 0 && Self.binaryOrder(bytes, highBytes) <= 0 ? key : nil
                }
                guard let key else { continue }
                guard case .instant(let second, let ambiguous) = key else { scan.rejected += 1; continue }
                guard case .cents(let cents) = LegacyPriceRule.price(type: statement.columnType(1), double: statement.columnDouble(1)) else {
                    scan.rejected += 1
                    continue
                }
                guard second >= from, second < to else { continue }
                if ambiguous { scan.ambiguous += 1 }
                let segment = (second - origin) / step
                if segment != currentSegment {
                    if currentSegment != .min { scan.segments[currentSegment, default: SegmentChecksum()].merge(current) }
                    currentSegment = segment
                    current = SegmentChecksum()
                }
                current.add(CanonicalRowHash.hash(second: second, cents: cents))
                if keepRows { scan.rows.append((second, cents)) }
            }
            if currentSegment != .min { scan.segments[currentSegment, default: SegmentChecksum()].merge(current) }
            scan.rows.sort { $0.second < $1.second }
            return scan
        }
    }

    /// The lowest and highest rowid (`nil` for an empty table): the range `scan(rowids:)` parts.
    public func rowidBounds() async throws -> ClosedRange<Int64>? {
        try await database.read { connection in
            let rows = try connection.query("SELECT min(rowid), max(rowid) FROM price_log", [])
            guard case .integer(let a) = rows.first?[0], case .integer(let b) = rows.first?[1] else { return nil }
            return a...b
        }
    }

    /// SQLite's BINARY collation: `memcmp` over the shorter length, then the shorter sorts first.
    static func binaryOrder(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        let c = b.withUnsafeBytes { bb in n == 0 ? 0 : Int(memcmp(a.baseAddress!, bb.baseAddress!, n)) }
        return c != 0 ? c : a.count - b.count
    }

    /// The earliest and latest instants of decodable rows (`nil` for an empty or all-corrupt file).
    public func span() async throws -> (first: Int64, last: Int64)? {
        try await database.read { connection in
            func find(_ order: String) throws -> Int64? {
                var offset: Int64 = 0
                while true {
                    let rows = try connection.query(
                        "SELECT timestamp, price FROM price_log WHERE timestamp >= '' AND timestamp < x'' ORDER BY timestamp \(order) LIMIT 256 OFFSET ?",
                        [.integer(offset)])
                    for row in rows {
                        if case .instant(let s, _) = LegacyPriceRule.key(row[0]), case .cents = LegacyPriceRule.price(row[1]) { return s }
                    }
                    if rows.count < 256 { return nil }
                    offset += 256
                }
            }
            guard let first = try find("ASC"), let last = try find("DESC") else { return nil }
            return (first, last)
        }
    }
}
