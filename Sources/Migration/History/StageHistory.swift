import Foundation
import Logging
import ServiceKit
import StorageKit

/// The stage changes and parity results kept in PostgreSQL (`stage_changes`, `parity_results`,
/// migration 6), read by `recioctl status` and by the cutover gate ("dual-writing for how long?").
public struct StageHistory: Sendable {
    public let connection: PostgresConnection
    public let schema: PostgresIdentifier

    public init(connection: PostgresConnection, schema: PostgresIdentifier) {
        self.connection = connection
        self.schema = schema
    }

    /// Brings the schema up to date (the tables are migration 6), like the daemons do at start-up.
    public func prepare(logger: Logger) async throws {
        try await SchemaMigrator(schema: schema, logger: logger).migrate(on: connection)
    }

    public func record(_ change: StageChange) async throws {
        try await connection.execute("""
            INSERT INTO \(schema.quoted).stage_changes
                (service, from_stage, to_stage, changed_at, changed_by, parity, forced_reason, config_backup)
            VALUES ($1, $2, $3, to_timestamp($4::bigint), $5, $6, $7, $8)
            """, [change.service, change.from.rawValue, change.to.rawValue, String(change.changedAt), change.changedBy,
                  change.parity, change.forcedReason, change.configBackup])
    }

    public func record(_ result: ParityResult) async throws {
        try await connection.execute("""
            INSERT INTO \(schema.quoted).parity_results (service, dataset, ran_at, window_from, window_to, ok, summary)
            VALUES ($1, $2, to_timestamp($3::bigint), to_timestamp($4::bigint), to_timestamp($5::bigint), $6, $7)
            """, [result.service, result.dataset, String(result.ranAt), String(result.windowFrom), String(result.windowTo),
                  result.ok ? "true" : "false", result.summary])
    }

    /// The service's changes, newest first.
    public func changes(_ service: ServiceName, limit: Int = 50) async throws -> [StageChange] {
        let rows = try await connection.query("""
            SELECT from_stage, to_stage, extract(epoch FROM changed_at)::bigint, changed_by, parity, forced_reason, config_backup
            FROM \(schema.quoted).stage_changes WHERE service = $1 ORDER BY changed_at DESC, id DESC LIMIT $2::int
            """, [service.rawValue, String(limit)]).rows
        return rows.compactMap { row in
            guard let from = row[0].flatMap(MigrationStage.init(rawValue:)), let to = row[1].flatMap(MigrationStage.init(rawValue:)),
                  let at = row[2].flatMap({ Int64($0) }) else { return nil }
            return StageChange(service: service, from: from, to: to, changedAt: at, changedBy: row[3] ?? "",
                               parity: row[4] ?? "", forcedReason: row[5], configBackup: row[6])
        }
    }

    /// When the service entered `stage` for the last time (the newest change into it), if recorded.
    public func enteredAt(_ service: ServiceName, stage: MigrationStage) async throws -> Int64? {
        let newest = try await changes(service, limit: 1).first
        return newest?.to == stage ? newest?.changedAt : nil
    }

    /// The newest parity result for the service.
    public func lastParity(_ service: ServiceName) async throws -> ParityResult? {
        let rows = try await connection.query("""
            SELECT dataset, extract(epoch FROM ran_at)::bigint, extract(epoch FROM window_from)::bigint,
                   extract(epoch FROM window_to)::bigint, ok, summary
            FROM \(schema.quoted).parity_results WHERE service = $1 ORDER BY ran_at DESC, id DESC LIMIT 1
            """, [service.rawValue]).rows
        guard let row = rows.first else { return nil }
        return ParityResult(service: service.rawValue, dataset: row[0] ?? "", ranAt: row[1].flatMap { Int64($0) } ?? 0,
                            windowFrom: row[2].flatMap { Int64($0) } ?? 0, windowTo: row[3].flatMap { Int64($0) } ?? 0,
                            ok: row[4] == "t", summary: row[5] ?? "")
    }
}
