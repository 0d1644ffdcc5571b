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
        /// The one-file document (`fills.json`).
        public var document: Bool
        public init(latest: Bool = false, archive: Bool = false, document: Bool = false) {
            self.latest = latest
            self.archive = archive
            self.document = document
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
                   (forms.latest && mapping.latest != nil) || (forms.archive && mapping.archive != nil)
                    || (forms.document && mapping.document != nil) {
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
        return forms.latest || forms.archive || forms.document ? forms : nil
    }

    /// Builds the writer for a dataset: one store, or a fan-out of the primary and its shadows.
    /// Returns `nil` when the service does not write this dataset at its current stage.
    public func makeWriter<R: StorableRecord>(_ type: R.Type, json: JSONForms? = nil) throws -> (any Writer<R>)? {
        guard let plan = plan(for: type, json: json) else { return nil }
        let primary = try spooled(try makeStore(plan.primary, type, json: json), kind: plan.primary, role: .primary)
        let shadows = try plan.shadows.map { try spooled(try makeStore($0, type, json: json), kind: $0, role: .shadow) }
        if shadows.isEmpty { return primary }
        return FanOutWriter(primary: primary, shadows: shadows, logger: logger)
    }

    /// The shadows of a dataset whose primary the caller writes itself (the ingest commits rows with
    /// their checkpoint in one PostgreSQL transaction): a fan-out whose primary only records the
    /// committed batch and whose shadows (spooled when `spool_dir` is set) catch up in the
    /// background. `nil` when the dataset has no shadow at this stage.
    public func makeShadowWriter<R: StorableRecord>(_ type: R.Type, json: JSONForms? = nil) throws -> (any Writer<R>)? {
        guard let plan = plan(for: type, json: json), !plan.shadows.isEmpty else { return nil }
        let shadows = try plan.shadows.map { try spooled(try makeStore($0, type, json: json), kind: $0, role: .shadow) }
        return FanOutWriter(primary: CommittedPrimaryWriter<R>(name: plan.primary.rawValue, logger: logger), shadows: shadows, logger: logger)
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

    /// The configured user schema as an identifier.
    public func schema() throws -> PostgresIdentifier {
        try PostgresIdentifier(config.postgres.schema)
    }

    /// Makes the stores this service uses ready: PostgreSQL migrated (serialised by an advisory
    /// lock, so daemons starting together never race) with the current month's partitions and
    /// three ahead; the legacy SQLite file opened with its table. Throws while a store is
    /// unreachable; the runner retries.
    public func prepareStores() async throws {
        let kinds = Set(service.writers + (service.reader.map { [$0] } ?? []))
        if kinds.contains(.postgres) {
            let connection = PostgresConnection(configuration: try postgresConfiguration(), logger: logger)
            do {
                try await connection.connect()
                let schema = try schema()
                try await SchemaMigrator(schema: schema, logger: logger).migrate(on: connection)
                for table in StorageSchema.monthlyPartitionedTables {
                    try await connection.ensureMonthlyPartitions(schema: schema, table: table)
                }
                await connection.close()
            } catch {
                await connection.close()
                throw error
            }
        }
    }

    /// The spool folder of one store and dataset of this service: `<spool_dir>/<service>/<dataset>.<store>`.
    public func spoolDirectory<R: StorableRecord>(for type: R.Type, kind: WriterKind) -> String? {
        config.spoolDirectory.map { "\($0)/\(service.name.rawValue)/\(R.dataset).\(kind.rawValue)" }
    }

    /// With `spool_dir` configured, the store behind a durable spool (`SpoolingWriter`); without
    /// it, or for a record with no byte form to spool, the store itself.
    private func spooled<R: StorableRecord>(_ store: any Writer<R>, kind: WriterKind, role: SpoolingWriter<R>.Role) throws -> any Writer<R> {
        guard let directory = spoolDirectory(for: R.self, kind: kind), SpoolCodec<R>.forRecord != nil else { return store }
        let spool = Spool(directory: directory, limitBytes: config.spoolMaxBytes, logger: logger)
        return try SpoolingWriter(writer: store, spool: spool, role: role, logger: logger)
    }

    private func makeStore<R: StorableRecord>(_ kind: WriterKind, _ type: R.Type, json: JSONForms?) throws -> any Writer<R> {
        switch kind {
        case .postgres:
            let connection = PostgresConnection(configuration: try postgresConfiguration(), logger: logger)
            return try PostgresWriter<R>(connection: connection, schema: try schema(), logger: logger)
        case .sqlite:
            return try SQLiteWriter<R>(path: service.sqlitePath!, logger: logger)
        case .json:
            let forms = effectiveJSONForms(json)!
            return try JSONWriter<R>(options: .init(directory: service.jsonDirectory!, latest: forms.latest, archive: forms.archive,
                                                    document: forms.document), logger: logger)
        }
    }
}
