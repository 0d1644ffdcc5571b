import Foundation
import Logging
import StorageKit

/// The JSON archive export (`market_snapshots-*.jsonl`, read by `MarketSnapshotExport`) as a parity
/// side. Latest files are single polls outside the continuous record and are not compared.
struct JSONSnapshotSide: ParitySide {
    let export: MarketSnapshotExport

    var name: String { export.directory }

    /// The hour files overlapping `[from, to)`, with their records in that window.
    private func records(from: Int64, to: Int64) async throws -> (records: [MarketSnapshot], rejected: Int) {
        var records: [MarketSnapshot] = []
        var rejected = 0
        for unit in try await export.units() {
            guard case .hourFile(_, let hour) = unit, hour < to, hour + 3600 > from else { continue }
            let batch = try await export.read(unit)
            rejected += batch.rejected.count
            records += batch.records.filter { $0.second >= from && $0.second < to }
        }
        return (records, rejected)
    }

    func span() async throws -> (first: Int64, last: Int64)? {
        let hours = try await export.units().compactMap { unit -> Int64? in
            if case .hourFile(_, let hour) = unit { return hour }
            return nil
        }
        guard let first = hours.min(), let last = hours.max() else { return nil }
        let a = try await records(from: first, to: first + 3600).records.map(\.second).min()
        let b = try await records(from: last, to: last + 3600).records.map(\.second).max()
        guard let a, let b else { return nil }
        return (a, b)
    }

    func scan(from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> ParityScan {
        let (records, rejected) = try await records(from: from, to: to)
        var scan = ParityScan(rejected: rejected)
        for record in records {
            scan.segments[(record.second - origin) / step, default: SegmentChecksum()].add(CanonicalSnapshotText.hash(record))
        }
        return scan
    }

    func rows(from: Int64, to: Int64) async throws -> [ParityRow] {
        try await records(from: from, to: to).records.map {
            ParityRow(second: $0.second, key: $0.marketTicker, value: CanonicalSnapshotText.text($0))
        }
    }
}

/// PostgreSQL `market_snapshots` as a parity side.
struct PostgresSnapshotSide: ParitySide {
    let connection: PostgresConnection
    let table: String

    init(connection: PostgresConnection, schema: PostgresIdentifier) throws {
        self.connection = connection
        self.table = PostgresIdentifier.qualified(schema, try PostgresIdentifier("market_snapshots"))
    }

    var name: String { table }

    func span() async throws -> (first: Int64, last: Int64)? {
        try await PostgresParityQueries.span(connection, table: table)
    }

    func scan(from: Int64, to: Int64, origin: Int64, step: Int64) async throws -> ParityScan {
        ParityScan(segments: try await PostgresParityQueries.segments([connection], table: table, rowHash: CanonicalSnapshotText.rowHash,
                                                                      from: from, to: to, origin: origin, step: step))
    }

    func rows(from: Int64, to: Int64) async throws -> [ParityRow] {
        let sql = """
            SELECT extract(epoch FROM ts)::bigint::text, market_ticker, \(CanonicalSnapshotText.sql) FROM \(table)
            WHERE ts >= to_timestamp($1::double precision) AND ts < to_timestamp($2::double precision) ORDER BY ts, market_ticker
            """
        let rows = try await connection.withReconnect("parity rows") { conn in
            try conn.query(sql, [String(from), String(to)])
        }
        return try rows.rows.map { row in
            guard row.count == 3, let s = row[0].flatMap({ Int64($0) }), let ticker = row[1], let text = row[2] else {
                throw MigrationError(.invalidSource, subject: table, "unexpected row \(row)")
            }
            return ParityRow(second: s, key: ticker, value: text)
        }
    }
}

/// `recioctl parity snapshots`: compares the JSON archive export of market snapshots with
/// PostgreSQL `market_snapshots` through the `ParityEngine` (canonical rows: `CanonicalSnapshotText`).
/// No legacy artefacts are known for snapshots: every difference is a mismatch.
public struct MarketSnapshotParity: Sendable {
    public struct Options: Sendable {
        /// The folder of `market_snapshots-*.jsonl`.
        public var directory: String
        public var postgres: PostgresConfiguration
        public var schema: PostgresIdentifier
        /// The window and the search (bisection down to 60 s or 4,096 rows).
        public var search: ParitySearch

        public init(directory: String, postgres: PostgresConfiguration, schema: PostgresIdentifier = .defaultSchema,
                    from: Int64? = nil, to: Int64? = nil, bucketSeconds: Int64 = 3600) {
            self.directory = directory
            self.postgres = postgres
            self.schema = schema
            self.search = ParitySearch(from: from, to: to, bucketSeconds: bucketSeconds, leafSeconds: 60)
        }
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run() async throws -> ParityReport {
        let started = Date()
        let export = try MarketSnapshotExport(directory: options.directory)
        let connection = PostgresConnection(configuration: options.postgres, logger: logger)
        do {
            let engine = ParityEngine(
                dataset: MarketSnapshot.dataset, legacy: JSONSnapshotSide(export: export),
                postgres: try PostgresSnapshotSide(connection: connection, schema: options.schema),
                settings: options.search,
                classify: { _, _ in nil }, wholesale: { _, _, _ in nil })
            var report = try await engine.run()
            report.elapsedSeconds = Date().timeIntervalSince(started)
            await connection.close()
            return report
        } catch {
            await connection.close()
            throw error
        }
    }
}
