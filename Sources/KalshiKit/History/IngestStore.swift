import Logging
import StorageKit

/// The ingest's PostgreSQL side: checkpoints are read once per cycle and written only together
/// with the rows they cover (`commit`), and the stored markets drive the per-market streams.
public final class IngestStore: Sendable {
    /// One writer (and connection) per lane, so `lanes` streams can commit at the same time.
    public let writers: [PostgresAtomicWriter]
    private var connection: PostgresConnection { writers[0].connection }
    private var schema: PostgresIdentifier { writers[0].schema }

    public init(configuration: PostgresConfiguration, schema: PostgresIdentifier, lanes: Int = 1, logger: Logger) {
        writers = (0..<max(1, lanes)).map { _ in
            PostgresAtomicWriter(connection: PostgresConnection(configuration: configuration, logger: logger), schema: schema, logger: logger)
        }
    }

    public var lanes: Int { writers.count }

    /// Every checkpoint, by stream name.
    public func checkpoints() async throws -> [String: IngestCheckpoint] {
        let mapping = IngestCheckpoint.postgres!
        let sql = "SELECT \(mapping.columns.joined(separator: ", ")) FROM \(schema.quoted).ingest_checkpoints"
        let rows = try await connection.withReconnect("read ingest checkpoints") { conn in try conn.query(sql) }
        var all: [String: IngestCheckpoint] = [:]
        for row in rows.rows {
            let checkpoint = try mapping.decode(row)
            all[checkpoint.stream] = checkpoint
        }
        return all
    }

    /// A stored market the per-market streams work through.
    public struct MarketSpan: Sendable, Equatable {
        public var ticker: String
        public var openTime: Int64
        public var closeTime: Int64
        public var settlementTime: Int64?
    }

    /// The stored markets of `series` that have closed, oldest first.
    public func closedMarkets(series: String) async throws -> [MarketSpan] {
        let sql = """
            SELECT ticker, extract(epoch FROM open_time)::bigint, extract(epoch FROM close_time)::bigint,
                   extract(epoch FROM settlement_time)::bigint
            FROM \(schema.quoted).kalshi_markets WHERE series_ticker = $1 ORDER BY close_time, ticker
            """
        let rows = try await connection.withReconnect("read stored markets") { conn in try conn.query(sql, [series]) }
        return rows.rows.compactMap { row in
            guard let ticker = row[0], let open = row[1].flatMap({ Int64($0) }), let close = row[2].flatMap({ Int64($0) }) else { return nil }
            return MarketSpan(ticker: ticker, openTime: open, closeTime: close, settlementTime: row[3].flatMap { Int64($0) })
        }
    }

    /// Writes the batch (rows and their checkpoint) in one transaction on `lane`'s connection.
    public func commit(_ batch: PostgresAtomicBatch, lane: Int = 0) async throws {
        try await writers[lane % writers.count].commit(batch)
    }

    public func close() async {
        for writer in writers { await writer.close() }
    }
}
