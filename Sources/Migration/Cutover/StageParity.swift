import Foundation
import Logging
import ServiceKit
import StorageKit

/// The parity check behind the cutover gate: for a service whose price history has a legacy file
/// (the price watchdog writing `price_log`, live-data-analysis reading it), the legacy file against
/// PostgreSQL `price_history` over the window. `nil` when no check exists for the service's datasets.
struct StageParity: Sendable {
    let options: StageChangeOptions
    let entry: ServiceConfig
    let logger: Logger

    func run() async throws -> ParityResult? {
        let usesLegacyPriceLog = (entry.name == .btcPriceWatchdog && entry.writers.contains(.sqlite)) || entry.reader == .sqlite
        guard usesLegacyPriceLog, let path = entry.sqlitePath, let postgres = options.postgres else { return nil }
        let now = Int64(options.now.timeIntervalSince1970.rounded(.down))
        let to = now - options.paritySettleSeconds
        let from = to - options.parityWindowSeconds
        let parity = PriceHistoryParity(options: .init(sqlitePath: path, postgres: postgres, schema: options.schema,
                                                       from: from, to: to, bucketSeconds: 3600), logger: logger)
        let report = try await parity.run()
        let artefacts = report.artefactCounts.values.reduce(0, +)
        let summary = "rows legacy \(report.legacyRows)/postgres \(report.postgresRows), buckets \(report.okBuckets)/\(report.buckets) OK, "
            + "\(report.mismatchCount) unexplained difference(s), \(artefacts) known artefact(s)"
        // An empty window proves nothing: a service that wrote no row for the whole window fails the gate.
        let empty = report.legacyRows == 0 && report.postgresRows == 0
        return ParityResult(service: entry.name.rawValue, dataset: report.dataset, ranAt: now, windowFrom: from, windowTo: to,
                            ok: report.ok && !empty, summary: empty ? "no rows in the window in either store" : summary)
    }
}
