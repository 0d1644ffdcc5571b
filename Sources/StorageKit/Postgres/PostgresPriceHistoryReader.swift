import Logging

/// The 1-second price history from `{schema}.price_history`.
public final class PostgresPriceHistoryReader: PriceHistoryReader {
    public let name = "postgres"
    private let reader: PostgresRecordReader<PriceTick>

    /// A reader over its own connection (opened on the first read).
    public convenience init(configuration: PostgresConfiguration, schema: PostgresIdentifier = .defaultSchema, logger: Logger) throws {
        try self.init(connection: PostgresConnection(configuration: configuration, logger: logger), schema: schema)
    }

    /// A reader over `connection`, which `close()` closes.
    public init(connection: PostgresConnection, schema: PostgresIdentifier = .defaultSchema) throws {
        self.reader = try PostgresRecordReader(connection: connection, schema: schema)
    }

    public func ticks(from: Int64, to: Int64) async throws -> [PriceTick] {
        try await reader.records(from: from, to: to)
    }

    public func latest() async throws -> PriceTick? {
        try await reader.latest()
    }

    public func close() async {
        await reader.connection.close()
    }
}
