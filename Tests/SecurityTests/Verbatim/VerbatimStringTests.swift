import Foundation
import KalshiKit
import StorageKit
import Testing

/// Strings from the network (tickers, status, strike type, the raw market JSON) are stored
/// verbatim through parameters and COPY, on both PostgreSQL write paths (a multi-row INSERT below
/// 64 rows, COPY above) and in the JSON archive; a NUL byte is refused whole, naming the field.
@Suite(.timeLimit(.minutes(2))) struct VerbatimStringTests {
    /// Quotes, backslashes, COPY's own escapes, control characters, SQL and format fragments, non-ASCII.
    static let hostile = [
        "KX'BTC\"D",
        #"back\slash\\double\N"#,
        "tab\there\nnewline\rreturn",
        "'); DROP TABLE market_snapshots; --",
        "$1 %s {schema} \\. E'\\x00'",
        "Ünïcødé ₿ 🚀 \u{200B}zero-width",
        "\u{01}\u{1F}\u{7F} controls",
    ]

    /// A market object as Kalshi sends it, with `text` in every string field, decoded as the watchdog does.
    static func snapshot(_ text: String, index: Int, second: Int64 = 1_780_000_000) throws -> MarketSnapshot {
        let market: [String: Any] = [
            "ticker": "\(text)#\(index)", "event_ticker": "EV-\(text)", "status": text, "strike_type": text,
            "title": text, "subtitle": ["nested": text],
            "open_time": "2026-05-28T14:00:00Z", "close_time": "2026-05-28T15:00:00Z",
            "yes_bid_dollars": "0.1200", "yes_ask_dollars": "0.1300", "no_bid_dollars": "0.8700", "no_ask_dollars": "0.8800",
            "last_price_dollars": "0.1250", "volume_fp": "10.00", "open_interest_fp": "5.50", "floor_strike": 100000.5,
        ]
        let bytes = try JSONSerialization.data(withJSONObject: market, options: [.sortedKeys])
        let decoded = MarketDecoder.decode(try OrderedJSON.parse(Array(bytes)), second: second)
        return try decoded.get()
    }

    static func batch(size: Int) throws -> [MarketSnapshot] {
        try (0..<size).map { try snapshot(hostile[$0 % hostile.count], index: $0) }
    }

    @Test(arguments: [7, 150]) func postgresStoresNetworkStringsVerbatim(size: Int) async throws {
        try await TestPostgres.withSchema(.migrated) { schema, connection in
            let records = try Self.batch(size: size)
            #expect(records[0].marketTicker == Self.hostile[0] + "#0")
            let writer = try PostgresWriter<MarketSnapshot>(configuration: try TestPostgres.configuration(), schema: schema, logger: quietLogger())
            try await writer.write(records)
            try await writer.write(records)  // idempotent: a replay adds nothing
            try await writer.close()
            let rows = try await connection.query(
                "SELECT market_ticker, event_ticker, status, strike_type, raw::text FROM \(schema.quoted).market_snapshots ORDER BY market_ticker")
            #expect(rows.rows.count == size)
            let byTicker = Dictionary(uniqueKeysWithValues: records.map { ($0.marketTicker, $0) })
            for row in rows.rows {
                let record = try #require(byTicker[row[0] ?? ""], "unexpected ticker \(String(reflecting: row[0]))")
                #expect(row[1] == record.eventTicker)
                #expect(row[2] == record.status)
                #expect(row[3] == record.strikeType)
                // jsonb keeps values, not formatting: the stored document equals the received one.
                let equal = try await connection.query("SELECT $1::jsonb = $2::jsonb", [row[4], record.rawJSON])
                #expect(equal.scalar == "t", "\(row[4] ?? "") vs \(record.rawJSON)")
                let title = try await connection.query(
                    "SELECT raw->>'title', raw->'subtitle'->>'nested' FROM \(schema.quoted).market_snapshots WHERE market_ticker = $1",
                    [record.marketTicker])
                #expect(title.rows.first == [record.status, record.status])
            }
            // And the reader gives back equal records.
            let reader = try PostgresRecordReader<MarketSnapshot>(connection: connection, schema: schema)
            let back = try await reader.records(from: 1_780_000_000, to: 1_780_000_001)
            #expect(Set(back.map(\.marketTicker)) == Set(records.map(\.marketTicker)))
            #expect(back.sorted { $0.marketTicker < $1.marketTicker }.map(\.status) == records.sorted { $0.marketTicker < $1.marketTicker }.map(\.status))
        }
    }

    @Test func jsonArchiveStoresNetworkStringsVerbatim() async throws {
        try await withTemporaryDirectory { dir in
            let records = try Self.batch(size: 20)
            let writer = try JSONWriter<MarketSnapshot>(options: .init(directory: dir.path, archive: true), logger: quietLogger())
            try await writer.write(records)
            try await writer.close()
            let read = try await JSONArchiveReader<MarketSnapshot>(directory: dir.path).read()
            #expect(read.rejected.isEmpty)
            #expect(read.records == records)
        }
    }

    @Test(arguments: [3, 80]) func nulIsRefusedWholeNamingTheField(size: Int) async throws {
        try await TestPostgres.withSchema(.migrated) { schema, connection in
            var records = try Self.batch(size: size)
            let bad = records[size / 2]
            records[size / 2] = MarketSnapshot(
                second: bad.second, eventTicker: bad.eventTicker, marketTicker: "NUL\u{0}TICKER", status: bad.status,
                yesBid: bad.yesBid, yesAsk: bad.yesAsk, noBid: bad.noBid, noAsk: bad.noAsk, lastPrice: bad.lastPrice,
                volume: bad.volume, volume24h: bad.volume24h, openInterest: bad.openInterest, openTime: bad.openTime,
                closeTime: bad.closeTime, strikeType: bad.strikeType, floorStrike: bad.floorStrike, capStrike: bad.capStrike,
                rawJSON: bad.rawJSON)
            let writer = try PostgresWriter<MarketSnapshot>(configuration: try TestPostgres.configuration(), schema: schema, logger: quietLogger())
            let error = await #expect(throws: StorageError.self) { try await writer.write(records) }
            #expect(error?.code == .invalidRecord)
            #expect(error?.message.contains("market_ticker contains a NUL byte") == true, "\(String(describing: error))")
            try await writer.close()
            let count = try await connection.query("SELECT count(*) FROM \(schema.quoted).market_snapshots").scalar
            #expect(count == "0", "no half batch")
        }
    }

    @Test func decoderDropsOnlyTheMarketWithNUL() throws {
        let text = #"{"ticker":"A\u0000B","event_ticker":"E","status":"open","open_time":"2026-05-28T14:00:00Z","close_time":"2026-05-28T15:00:00Z","yes_bid":1,"yes_ask":2,"no_bid":3,"no_ask":4,"last_price":1,"volume":1,"open_interest":1}"#
        let result = MarketDecoder.decode(try OrderedJSON.parse(Array(text.utf8)), second: 1_780_000_000)
        guard case .failure(let invalid) = result else {
            Issue.record("a ticker with NUL was accepted")
            return
        }
        #expect(invalid.description.contains("market_ticker contains a NUL byte"), "\(invalid)")
        // A \u0000 inside another string (title) is refused by the jsonb rule; an escaped backslash before u0000 is not.
        let titled = text.replacingOccurrences(of: #"A\u0000B"#, with: "AB").replacingOccurrences(of: #""status":"open""#, with: #""status":"open","title":"x\u0000y""#)
        guard case .failure(let rawInvalid) = MarketDecoder.decode(try OrderedJSON.parse(Array(titled.utf8)), second: 1_780_000_000) else {
            Issue.record("a raw JSON with \\u0000 was accepted")
            return
        }
        #expect(rawInvalid.description.contains("jsonb"), "\(rawInvalid)")
        let escaped = titled.replacingOccurrences(of: #"x\u0000y"#, with: #"x\\u0000y"#)
        #expect((try? MarketDecoder.decode(try OrderedJSON.parse(Array(escaped.utf8)), second: 1_780_000_000).get()) != nil)
    }
}
