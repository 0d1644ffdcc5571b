/// The legacy `price_log` as a parity side: one streaming pass over the key range per scan.
struct LegacyPriceHistorySide: ParitySide {
    /// The file, opened once per reader (each has its own SQLite connection and thread); the first
    /// runs everything, the others share whole-table scans.
    let files: [LegacyPriceLogFile]
    /// The file's first and last second, known up front: a scan covering at least half of it reads
    /// the table in storage order (one sequential pass) instead of walking the key index.
    let fileSpan: (first: Int64, last: Int64)?
    /// The table's rowids, which a whole-table scan splits between the readers.
    let rowids: ClosedRange<Int64>?

    init(files: [LegacyPriceLogFile]) async throws {
        precondition(!files.isEmpty, "a legacy side needs the file")
        self.files = files
        self.fileSpan = try await files[0].span()
        self.rowids = try await files.count > 1 ? files[0].rowidBounds() : nil
    }

    var file: LegacyPriceLogFile { files[0] }

    var name: String { file.path }

    func span() async throws -> (first: Int64, last: Int64)? { fileSpan }

    func scan(from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> ParityScan {
        let wholeTable = fileSpan.map { span in
            let covered = min(to, span.last + 1) - max(from, span.first)
            return covered * 2 >= span.last + 1 - span.first
        } ?? false
        guard wholeTable, let rowids, files.count > 1 else {
            let scan = try await file.scan(from: from, to: to, origin: origin, step: step, wholeTable: wholeTable)
            return ParityScan(segments: scan.segments, rejected: scan.rejected, ambiguous: scan.ambiguous)
        }
        // Equal rowid ranges, one per reader, read concurrently; the checksums and counts add up.
        // The outer ranges are open, so rows (re)written since the bounds were read are not missed.
        let n = Int64(files.count)
        let width = (rowids.upperBound - rowids.lowerBound) / n + 1
        return try await withThrowingTaskGroup(of: LegacyPriceLogFile.Scan.self) { group in
            for (i, reader) in files.enumerated() {
                let lo = i == 0 ? Int64.min : rowids.lowerBound + Int64(i) * width
                let hi = i == files.count - 1 ? Int64.max : rowids.lowerBound + Int64(i + 1) * width - 1
                group.addTask { try await reader.scan(from: from, to: to, origin: origin, step: step, wholeTable: true, rowids: lo...hi) }
            }
            var result = ParityScan()
            for try await part in group {
                for (k, checksum) in part.segments { result.segments[k, default: SegmentChecksum()].merge(checksum) }
                result.rejected += part.rejected
                result.ambiguous += part.ambiguous
            }
            return result
        }
    }

    func rows(from: Int64, to: Int64) async throws -> [ParityRow] {
        guard from < to else { return [] }
        return try await file.scan(from: from, to: to, origin: from, step: to - from, keepRows: true).rows.map {
            ParityRow(second: $0.second, key: "", value: USDText.format($0.cents))
        }
    }
}
