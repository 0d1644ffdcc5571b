import Foundation
import Logging
import StorageKit

/// Turns one service's `services.json` entry into the writer for each dataset it records.
///
/// A service lists store kinds (`writers`) and a `primary`; a dataset is written to those kinds that
/// have a mapping for it (the legacy SQLite layout exists only for price history, for instance). If
/// the configured primary has no mapping for a dataset, the dataset's primary is the first legacy
/// kind that has one when the primary is legacy, PostgreSQL otherwise — so "legacy primary" keeps
/// meaning "the legacy files are authoritative" for every dataset.
public struct WriterFactory: Sendable {
    public let config: ServicesConfig
    public let service: ServiceConfig
    public let logger: Logger
    private let environment: [String: String]

    /// Which JSON forms a dataset has for this service (set by the daemon, e.g. heartbeats: latest).
    public struct JSONForms: Sendable, Equatable {
        public var latest: Bool
        public var archive: Bool
        public init(latest: Bool = false, archive: Bool = false) {
            self.latest = latest
            self.archive = archive
        }
    }

    /// The stores one dataset goes to.
    public struct Plan: Sendable, Equatable, CustomStringConvertible {
        public var primary: WriterKind
        public var shadows: [WriterKind]
        public var description: String {
            ([primary] + shadows).map(\.rawValue).joined(separator: "+") + " (primary \(primary.rawValue))"
        }
    }

    public init(config: ServicesConfig, service: ServiceName, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        self.service = config.service(service)
        self.logger = logger
        self.environment = environment
    }

    /// The plan for a dataset, or `nil` when none of the configured kinds stores it.
    public func plan<R: StorableRecord>(for type: R.Type, json: JSONForms? = nil) -> Plan? {
        var kinds: [WriterKind] = []
        for kind in service.writers {
            switch kind {
            case .postgres: if R.postgres != nil { kinds.append(kind) }
            case .sqlite: if R.sqlite != nil, service.sqlitePath != nil { kinds.append(kind) }
            case .json:
                if let mapping = R.json, let forms = effectiveJSONForms(json),
                   (forms.latest && mapping.latest != nil) || (forms.archive && mapping.archive != nil) {
                    kinds.append(kind)
                }
            }
        }
        guard !kinds.isEmpty else { return nil }
        let primary: WriterKind
        if kinds.contains(service.primary) {
            primary = service.primary
        } else if service.primary.isLegacy, let legacy = kinds.first(where: \.isLegacy) {
            primary = legacy
        } else if kinds.contains(.postgres) {
            primary = .postgres
        } else {
            primary = kinds[0]
        }
        return Plan(primary: primary, shadows: kinds.filter { $0 != primary })
    }

    private func effectiveJSONForms(_ json: JSONForms?) -> JSONForms? {
        guard var forms = json else { return nil }
        forms.archive = forms.archive && service.jsonArchive
        return forms.latest || forms.archive ? forms : nil
    }

    /// Builds the writer for a dataset: one store, or a fan-out of the primary and its shadows.
    /// Returns `nil` when the service does not write this dataset at its current stage.
    public func makeWriter<R: StorableRecord>(_ type: R.Type, json: JSONForms? = nil) throws -> (any Writer<R>)? {
        guard let plan = plan(for: type, json: json) else { return nil }
        let primary = try makeStore(plan.primary, type, json: json)
        let shadows = try plan.shadows.map { try makeStore($0, type, json: json) }
        if shadows.isEmpty { return primary }
        return FanOutWriter(primary: primary, shadows: shadows, logger: logger)
    }

    /// The PostgreSQL connection settings for this service (password resolved from its file or credential).
    public func postgresConfiguration() throws -> PostgresConfiguration {
        PostgresConfiguration(
            connectionString: config.postgres.conninfo,
            password: try config.postgres.resolvePassword(environment: environment),
            applicationName: service.name.executableName,
            connectTimeout: .seconds(config.postgres.connectTimeoutSeconds)
        )
    }

    /// Gets this service's stores ready before the first write: for PostgreSQL, applies the
    /// pending schema migrations and creates the monthly partitions ahead. Legacy stores need
    /// nothing here (their writers create their files and tables on first use).
    /// Minimal version so the package builds; the lead's lifecycle work may replace it.
    public func prepareStores() async throws {
        guard service.writers.contains(.postgres) else { return }
        let schema = try PostgresIdentifier(config.postgres.schema)
        let connection = PostgresConnection(configuration: try postgresConfiguration(), logger: logger)
        do {
            try await SchemaMigrator(schema: schema, logger: logger).migrate(on: connection)
            try await connection.withReconnect("create partitions ahead") { conn in
                for table in StorageSchema.monthlyPartitionedTables {
                    try conn.ensureMonthlyPartitions(schema: schema, table: table)
                }
            }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    private func makeStore<R: StorableRecord>(_ kind: WriterKind, _ type: R.Type, json: JSONForms?) throws -> any Writer<R> {
        switch kind {
        case .postgres:
            let connection = PostgresConnection(configuration: try postgresConfiguration(), logger: logger)
            return try PostgresWriter<R>(connection: connection, schema: try PostgresIdentifier(config.postgres.schema), logger: logger)
        case .sqlite:
            return try SQLiteWriter<R>(path: service.sqlitePath!, logger: logger)
        case .json:
            let forms = effectiveJSONForms(json)!
            return try JSONWriter<R>(options: .init(directory: service.jsonDirectory!, latest: forms.latest, archive: forms.archive), logger: logger)
        }
    }
}
