/// The legacy `price_log` as a parity side: one streaming pass over the key range per scan.
struct LegacyPriceHistorySide: ParitySide {
    let file: LegacyPriceLogFile

    var name: String { file.path }

    func span() async throws -> (first: Int64, last: Int64)? { try await file.span() }

    func scan(from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> ParityScan {
        let scan = try await file.scan(from: from, to: to, origin: origin, step: step)
        return ParityScan(segments: scan.segments, rejected: scan.rejected, ambiguous: scan.ambiguous)
    }

    func rows(from: Int64, to: Int64) async throws -> [ParityRow] {
        guard from < to else { return [] }
        return try await file.scan(from: from, to: to, origin: from, step: to - from, keepRows: true).rows.map {
            ParityRow(second: $0.second, key: "", value: USDText.format($0.cents))
        }
    }
}
