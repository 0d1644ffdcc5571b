import Logging
import ServiceKit
import StorageKit

/// Which price history store the daemon reads, as `services.json` says (`reader`, `sqlite_path`,
/// the PostgreSQL settings). Two equal selections read the same store, so a reload that leaves it
/// unchanged keeps the open reader.
public struct PriceReaderSelection: Sendable, Equatable {
    /// `sqlite` or `postgres`.
    public var kind: WriterKind
    /// The legacy `price_log` file (for `sqlite`).
    public var sqlitePath: String?
    /// The PostgreSQL settings (for `postgres`).
    public var postgres: PostgresSettings?

    /// The selection of a validated config.
    public init(factory: WriterFactory) {
        kind = factory.service.reader ?? .postgres
        sqlitePath = kind == .sqlite ? factory.service.sqlitePath : nil
        postgres = kind == .postgres ? factory.config.postgres : nil
    }

    /// Opens the reader. The SQLite file is opened and checked now; a PostgreSQL connection is
    /// made on the first read.
    public func open(factory: WriterFactory, logger: Logger) async throws -> any PriceHistoryReader {
        switch kind {
        case .sqlite:
            guard let path = sqlitePath else {
                throw ConfigError(.missingKey, file: factory.config.file, path: "$.services.live_data_analysis", "reader \"sqlite\" needs \"sqlite_path\"")
            }
            return try await SQLitePriceHistoryReader(path: path)
        case .postgres, .json:
            return try PostgresPriceHistoryReader(configuration: try factory.postgresConfiguration(), schema: try factory.schema(), logger: logger)
        }
    }
}
