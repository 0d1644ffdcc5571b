import FixtureServers
import Foundation
import KalshiKit
import StorageKit

/// A fixture Kalshi server with a history dataset, and an ingest engine pointed at it and at a
/// test schema.
struct IngestHarness {
    let server: FixtureServer
    let fixture: KalshiHistoryFixture

    static func start(_ dataset: KalshiHistoryDataset, keys: IngestTestKeys, faults: KalshiHistoryFixture.Faults = .init()) async throws -> IngestHarness {
        let server = try await FixtureServer.start(logger: quietLogger("fixture"))
        let fixture = KalshiHistoryFixture(dataset: dataset, verifier: try keys.verifier(), faults: faults)
        fixture.install(on: server)
        return IngestHarness(server: server, fixture: fixture)
    }

    /// Options for this fixture: start date before the dataset, small pages, no client rate limit.
    func options(pageLimit: Int = 7, keys: IngestTestKeys) -> KalshiIngestOptions {
        KalshiIngestOptions(baseURL: URL(string: KalshiHistoryFixture.baseURL(server))!, series: [fixture.dataset.series],
                            startTime: 1_754_006_400, pageLimit: pageLimit, keyID: IngestTestKeys.keyID,
                            keySource: .file(keys.privateKeyPath.path), requestTimeout: .seconds(5), maxAttempts: 6,
                            readsPerSecond: 10_000)
    }

    func ingest(schema: PostgresIdentifier, options: KalshiIngestOptions, signer: KalshiRequestSigner?) throws -> KalshiHistoryIngest {
        var client = options.clientOptions
        client.backoff = RetryBackoff(maxAttempts: options.maxAttempts, initialDelay: .milliseconds(5), maxDelay: .milliseconds(50))
        let http = KalshiHTTPClient(options: client, hook: signer, logger: quietLogger("kalshi"))
        let store = IngestStore(configuration: try TestPostgres.configuration(), schema: schema, lanes: options.marketConcurrency,
                                logger: quietLogger("store"))
        return KalshiHistoryIngest(options: options, api: KalshiHistoryAPI(client: http), store: store, logger: quietLogger("ingest"))
    }
}

/// Row counts and a canonical dump of the history tables, for comparing two runs row for row.
enum HistoryTables {
    /// Each table's rows as text, ordered by key (positions without the snapshot time, which is
    /// the moment of the run).
    static let queries: [(String, String)] = [
        ("kalshi_fills", "SELECT trade_id, fill_id, order_id, market_ticker, side, action, count, yes_price, no_price, is_taker, fee_cost, created_time, raw FROM {s}.kalshi_fills ORDER BY trade_id"),
        ("kalshi_settlements", "SELECT * FROM {s}.kalshi_settlements ORDER BY ticker, settled_time"),
        ("kalshi_positions", "SELECT ticker, position, total_traded, market_exposure, realized_pnl, fees_paid, resting_orders_count, last_updated, raw FROM {s}.kalshi_positions ORDER BY ticker"),
        ("kalshi_markets", "SELECT * FROM {s}.kalshi_markets ORDER BY ticker"),
        ("kalshi_candlesticks", "SELECT * FROM {s}.kalshi_candlesticks ORDER BY ticker, period_minutes, end_period_ts"),
        ("kalshi_trades", "SELECT * FROM {s}.kalshi_trades ORDER BY trade_id"),
    ]

    static func dump(_ conn: PostgresConnection, _ schema: PostgresIdentifier) async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (table, sql) in queries {
            let rows = try await conn.query(sql.replacingOccurrences(of: "{s}", with: schema.quoted))
            out[table] = rows.rows.map { $0.map { $0 ?? "\\N" }.joined(separator: "\t") }
        }
        return out
    }

    static func counts(_ conn: PostgresConnection, _ schema: PostgresIdentifier) async throws -> [String: Int] {
        try await dump(conn, schema).mapValues(\.count)
    }

    /// What a complete ingest of `d` stores.
    static func expected(_ d: KalshiHistoryDataset) -> [String: Int] {
        ["kalshi_fills": d.fills, "kalshi_settlements": d.settlements, "kalshi_positions": d.positions, "kalshi_markets": d.markets,
         "kalshi_candlesticks": d.totalCandlesticks, "kalshi_trades": d.totalTrades]
    }
}
