import Foundation

/// The legacy "price change" figures (Kraken hourly candles → 1 h / 3 h / 1 day percentage change),
/// sampled once a minute by the BTC price watchdog.
///
/// PostgreSQL keeps every sample in `price_changes` (one row per sampling second); the JSON writer's
/// latest form is the legacy `btc_price_change.json`, overwritten each minute, which the legacy
/// readers still open during the dual-write period.
public struct PriceChangeSample: StorableRecord, Codable, Hashable {
    /// UTC epoch second the sample was taken.
    public var second: Int64
    /// Percent change from the close of the candle before the current one.
    public var change1h: Double
    /// Percent change from the close three candles before the current one.
    public var change3h: Double
    /// Percent change from the close 24 candles before the current one.
    public var change1d: Double
    /// The price the changes are measured to (the current candle's close so far).
    public var price: USDCents
    /// Opening UTC epoch second of the current (in-progress) candle.
    public var candleSecond: Int64

    public init(second: Int64, change1h: Double, change3h: Double, change1d: Double, price: USDCents, candleSecond: Int64) {
        self.second = second
        self.change1h = change1h
        self.change3h = change3h
        self.change1d = change1d
        self.price = price
        self.candleSecond = candleSecond
    }

    public static let dataset = "price_changes"
    public var naturalKey: String { String(second) }

    public func validate() throws {
        guard change1h.isFinite, change3h.isFinite, change1d.isFinite else {
            throw StorageError(.invalidRecord, subject: Self.dataset,
                               "price change at \(UTCTime.iso8601(epochSeconds: second)) is not finite (\(change1h), \(change3h), \(change1d))")
        }
        guard price.cents > 0 else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "price \(price) is not a positive amount")
        }
    }

    /// `price_changes`: the percentages travel as the shortest decimal text that reads back as the
    /// same `Double` (NUMERIC stores it exactly); the price as exact cents.
    public static var postgres: PostgresMapping<PriceChangeSample>? {
        PostgresMapping(
            table: "price_changes",
            columns: ["ts", "change_1h", "change_3h", "change_1d", "price", "candle_ts"],
            conflictColumns: ["ts"],
            onConflict: .updateAll,
            encode: {
                [UTCTime.postgresText(epochSeconds: $0.second), $0.change1h.description, $0.change3h.description,
                 $0.change1d.description, $0.price.description, UTCTime.postgresText(epochSeconds: $0.candleSecond)]
            },
            decode: { row in
                guard row.count == 6, let ts = row[0].flatMap(UTCTime.parseEpochSeconds),
                      let c1 = row[1].flatMap(Double.init), let c3 = row[2].flatMap(Double.init), let cd = row[3].flatMap(Double.init),
                      let price = row[4].flatMap({ USDCents(decimalString: $0) }),
                      let candle = row[5].flatMap(UTCTime.parseEpochSeconds) else {
                    throw StorageError(.corruptData, subject: dataset, "undecodable price_changes row \(row)")
                }
                return PriceChangeSample(second: ts, change1h: c1, change3h: c3, change1d: cd, price: price, candleSecond: candle)
            }
        )
    }

    /// The legacy `btc_price_change.json` (latest form) and an archive of every sample.
    public static var json: JSONMapping<PriceChangeSample>? {
        JSONMapping(
            latest: .init(fileName: { _ in legacyFileName }, contents: { Data($0.legacyJSON.utf8) }),
            archive: .codable(stream: "price_changes", epochSeconds: { $0.second })
        )
    }

    /// The legacy file name.
    public static let legacyFileName = "btc_price_change.json"

    /// The legacy file contents, byte for byte what the legacy Python `json.dump(changes, f)` wrote:
    /// keys in this order, `", "` and `": "` separators, floats in their shortest round-trip form
    /// (Python `repr` and Swift `description` agree, e.g. `0.5`, `-1.25`, `1e-05`), and the New York
    /// local `isoformat()` timestamp with its offset (whole seconds, so no fraction), no newline.
    public var legacyJSON: String {
        #"{"change1h": \#(change1h), "change3h": \#(change3h), "change1d": \#(change1d), "timestamp": "\#(NewYorkTime.iso8601WithOffset(epochSeconds: second))"}"#
    }
}
