import Foundation
import Logging
import ServiceKit
import StorageKit

/// Gathers `recioctl status` from the config, the stores themselves, the units and the stage history.
public struct StatusCollector: Sendable {
    public let config: ServicesConfig
    public let control: ServiceControl
    public let postgres: PostgresConfiguration
    public let schema: PostgresIdentifier
    public let now: Date
    private let logger: Logger

    public init(config: ServicesConfig, control: ServiceControl, postgres: PostgresConfiguration, schema: PostgresIdentifier,
                now: Date, logger: Logger) {
        self.config = config
        self.control = control
        self.postgres = postgres
        self.schema = schema
        self.now = now
        self.logger = logger
    }

    /// The PostgreSQL table whose newest row is a service's "last row".
    static func postgresTable(_ service: ServiceName) -> String? {
        switch service {
        case .btcPriceWatchdog: return "price_history"
        case .kalshiAPIWatchdog: return "market_snapshots"
        case .liveDataAnalysis: return "live_analysis"
        case .kalshiHistoricalIngest: return nil
        }
    }

    public func collect() async -> StatusReport {
        let connection = PostgresConnection(configuration: postgres, logger: logger)
        var postgresProblem: String?
        do {
            try await connection.connect()
        } catch {
            postgresProblem = "\(error)"
        }
        let history = StageHistory(connection: connection, schema: schema)
        var statuses: [ServiceStatus] = []
        for name in ServiceName.allCases {
            let entry = config.service(name)
            var status = ServiceStatus(service: name.rawValue, writers: entry.writers.map(\.rawValue), primary: entry.primary.rawValue,
                                       reader: entry.reader?.rawValue, lastRow: [:])
            do {
                status.stage = try MigrationStage(entry: entry)
            } catch {
                status.stageProblem = "\(error)"
            }
            if postgresProblem == nil {
                do {
                    if let stage = status.stage, let entered = try await history.enteredAt(name, stage: stage) {
                        status.secondsInStage = Int64(now.timeIntervalSince1970) - entered
                    }
                    status.lastParity = try await history.lastParity(name)
                } catch {
                    status.stageProblem = (status.stageProblem.map { $0 + "; " } ?? "") + "stage history unreadable: \(error)"
                }
                if entry.writers.contains(.postgres) || entry.reader == .postgres, let table = Self.postgresTable(name) {
                    status.lastRow["postgres"] = await newestPostgresRow(connection, table: table)
                }
            }
            if let path = entry.sqlitePath, entry.writers.contains(.sqlite) || entry.reader == .sqlite {
                status.lastRow["sqlite"] = await newestLegacyRow(path)
            }
            if let folder = entry.jsonDirectory, entry.writers.contains(.json) {
                status.lastRow["json"] = Self.newestFile(in: folder)
            }
            do {
                let unit = try await control.state(name)
                status.unit = unit
                status.backlog = unit.pending
            } catch {
                status.unitProblem = "\(error)"
            }
            statuses.append(status)
        }
        await connection.close()
        return StatusReport(config: config.file, services: statuses, postgresProblem: postgresProblem)
    }

    private func newestPostgresRow(_ connection: PostgresConnection, table: String) async -> String {
        do {
            let value = try await connection.query(
                "SELECT extract(epoch FROM max(ts))::bigint FROM \(schema.quoted).\(try PostgresIdentifier(table).quoted)").scalar
            return value.flatMap { Int64($0) }.map(TimeArgument.format) ?? "none"
        } catch {
            return "unreadable (\(String(describing: error).prefix(80)))"
        }
    }

    private func newestLegacyRow(_ path: String) async -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "no file" }
        do {
            let file = try await LegacyPriceLogFile(path: path)
            let span = try await file.span()
            await file.close()
            return span.map { TimeArgument.format($0.last) } ?? "none"
        } catch {
            return "unreadable (\(String(describing: error).prefix(80)))"
        }
    }

    /// The newest modification time among the legacy folder's files (the JSON store's last write).
    static func newestFile(in folder: String) -> String {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return "no folder" }
        let dates = names.filter { $0.hasSuffix(".json") || $0.hasSuffix(".txt") || $0.hasSuffix(".jsonl") }.compactMap {
            (try? FileManager.default.attributesOfItem(atPath: folder + "/" + $0))?[.modificationDate] as? Date
        }
        return dates.max().map { TimeArgument.format(Int64($0.timeIntervalSince1970)) + " (file time)" } ?? "none"
    }
}
