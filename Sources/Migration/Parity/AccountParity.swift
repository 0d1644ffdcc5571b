import Foundation
import KalshiKit
import Logging
import StorageKit

/// `recioctl parity fills|settlements`: compares a legacy `fills.json` / `settlements.json` with
/// the PostgreSQL account table, record by record by natural key, over the legacy file's time span
/// (rows the daemon stored after the legacy stack stopped are not differences).
///
/// Both sides go through the same record type: the legacy objects through the ingest's decoders,
/// the PostgreSQL rows through the table mapping, and are compared without the raw JSON (the
/// legacy objects are the older API form of the same facts). Legacy objects that do not decode are
/// counted apart: `recioctl backfill account` rejects them too, with the reason.
public struct AccountParity: Sendable {
    public enum Dataset: String, CaseIterable, Sendable, Codable {
        case fills, settlements
    }

    public struct Options: Sendable {
        public var directory: String
        public var dataset: Dataset
        public var postgres: PostgresConfiguration
        public var schema: PostgresIdentifier
        /// Most keys listed per kind of difference (all are counted).
        public var listLimit = 50

        public init(directory: String, dataset: Dataset, postgres: PostgresConfiguration, schema: PostgresIdentifier = .defaultSchema) {
            self.directory = directory
            self.dataset = dataset
            self.postgres = postgres
            self.schema = schema
        }
    }

    /// What the comparison found.
    public struct Report: Codable, Sendable, Equatable {
        public var dataset: Dataset
        public var file: String
        public var table: String
        /// The compared window (UTC epoch seconds), from the legacy file.
        public var from: Int64?
        public var to: Int64?
        public var legacyRows = 0
        public var undecodable = 0
        public var postgresRows = 0
        public var matching = 0
        public var onlyInLegacy: [String] = []
        public var onlyInPostgres: [String] = []
        public var differing: [String] = []
        public var onlyInLegacyCount = 0
        public var onlyInPostgresCount = 0
        public var differingCount = 0

        public var ok: Bool { onlyInLegacyCount == 0 && onlyInPostgresCount == 0 && differingCount == 0 }

        /// The operator's table.
        public func rendered() -> String {
            func line(_ label: String, _ value: Int, _ note: String = "") -> String {
                "  " + label.padding(toLength: 18, withPad: " ", startingAt: 0) + String(value) + note + "\n"
            }
            var s = "parity \(dataset.rawValue): \(file) vs \(table)"
            if let from, let to { s += " (\(UTCTime.iso8601(epochSeconds: from)) … \(UTCTime.iso8601(epochSeconds: to)))" }
            s += "\n"
            s += line("legacy rows", legacyRows)
            s += line("undecodable", undecodable, undecodable > 0 ? "   (rejected by backfill account too; not compared)" : "")
            s += line("postgres rows", postgresRows)
            s += line("matching", matching)
            s += line("only in legacy", onlyInLegacyCount)
            s += line("only in postgres", onlyInPostgresCount)
            s += line("differing", differingCount)
            for (label, keys) in [("only in legacy", onlyInLegacy), ("only in postgres", onlyInPostgres), ("differing", differing)] where !keys.isEmpty {
                s += "  \(label): \(keys.joined(separator: ", "))\n"
            }
            s += ok ? "OK\n" : "DIFFERENCES\n"
            return s
        }
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run() async throws -> Report {
        switch options.dataset {
        case .fills:
            return try await compare(file: "fills.json", key: "fills", timeColumn: "created_time", time: \.createdTime,
                                     decode: KalshiHistoryDecoder.fill) { var f = $0; f.rawJSON = ""; return f }
        case .settlements:
            return try await compare(file: "settlements.json", key: "settlements", timeColumn: "settled_time", time: \.settledTime,
                                     decode: KalshiHistoryDecoder.settlement) { var s = $0; s.rawJSON = ""; return s }
        }
    }

    private func compare<R: StorableRecord & Equatable>(file: String, key: String, timeColumn: String, time: KeyPath<R, Int64>,
                                                         decode: (OrderedJSON) throws -> R, blank: (R) -> R) async throws -> Report {
        guard let items = try LegacyAccountFiles.read(options.directory, file, keys: [key]) else {
            throw MigrationError(.invalidSource, subject: (options.directory as NSString).appendingPathComponent(file), "the file does not exist")
        }
        let mapping = R.postgres!
        let table = PostgresIdentifier.qualified(options.schema, try PostgresIdentifier(mapping.table))
        var report = Report(dataset: options.dataset, file: items.path, table: "\(options.schema.name).\(mapping.table)")
        var legacy: [String: R] = [:]
        for item in items.items {
            report.legacyRows += 1
            guard let record = try? decode(item), (try? record.validate()) != nil else {
                report.undecodable += 1
                continue
            }
            legacy[record.naturalKey] = blank(record)
            report.from = min(report.from ?? record[keyPath: time], record[keyPath: time])
            report.to = max(report.to ?? record[keyPath: time], record[keyPath: time])
        }
        var stored: [String: R] = [:]
        if let from = report.from, let to = report.to {
            let sql = "SELECT \(mapping.columns.joined(separator: ", ")) FROM \(table) WHERE \(timeColumn) BETWEEN to_timestamp($1) AND to_timestamp($2)"
            let connection = PostgresConnection(configuration: options.postgres, logger: logger)
            defer { Task { await connection.close() } }
            let rows = try await connection.withReconnect("read \(mapping.table)") { conn in try conn.query(sql, [String(from), String(to)]) }
            for row in rows.rows {
                let record = try mapping.decode(row)
                stored[record.naturalKey] = blank(record)
            }
        }
        report.postgresRows = stored.count
        for (k, record) in legacy.sorted(by: { $0.key < $1.key }) {
            guard let other = stored[k] else {
                report.onlyInLegacyCount += 1
                if report.onlyInLegacy.count < options.listLimit { report.onlyInLegacy.append(k) }
                continue
            }
            if other == record {
                report.matching += 1
            } else {
                report.differingCount += 1
                if report.differing.count < options.listLimit { report.differing.append(k) }
            }
        }
        for k in stored.keys.sorted() where legacy[k] == nil {
            report.onlyInPostgresCount += 1
            if report.onlyInPostgres.count < options.listLimit { report.onlyInPostgres.append(k) }
        }
        return report
    }
}
