/// The legacy `price_log` as a parity side: one streaming pass over the key range per scan.
struct LegacyPriceHistorySide: ParitySide {
    let file: LegacyPriceLogFile
    /// The file's first and last second, known up front: a scan covering at least half of it reads
    /// the table in storage order (one sequential pass) instead of walking the key index.
    let fileSpan: (first: Int64, last: Int64)?

    init(file: LegacyPriceLogFile) async throws {
        self.file = file
        self.fileSpan = try await file.span()
    }

    var name: String { file.path }

    func span() async throws -> (first: Int64, last: Int64)? { try await file.span() }

    func scan(from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> ParityScan {
        let wholeTable = fileSpan.map { span in
            let covered = min(to, span.last + 1) - max(from, span.first)
            return covered * 2 >= span.last + 1 - span.first
        } ?? false
        let scan = try await file.scan(from: from, to: to, origin: origin, step: step, wholeTable: wholeTable)
        return ParityScan(segments: scan.segments, rejected: scan.rejected, ambiguous: scan.ambiguous)
    }

    func rows(from: Int64, to: Int64) async throws -> [ParityRow] {
        guard from < to else { return [] }
        return try await file.scan(from: from, to: to, origin: from, step: to - from, keepRows: true).rows.map {
            ParityRow(second: $0.second, key: "", value: USDText.format($0.cents))
        }
    }
}
