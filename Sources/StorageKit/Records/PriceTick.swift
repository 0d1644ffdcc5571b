import Foundation
import PriceAnalytics

/// The BTC/USD price for one UTC second: the price history the whole stack reads.
public struct PriceTick: StorableRecord, Codable, Hashable {
    /// UTC epoch second this price stands for (the last trade known at the end of that second).
    public var second: Int64
    public var price: USDCents
    /// Where this second's price came from.
    public var source: PriceSource
    /// The legacy derived columns (`momentum`, `delta_*`) the legacy SQLite layout carries; only
    /// the SQLite writer uses them, PostgreSQL keeps analysis in its own table.
    public var legacyColumns: LegacyPriceColumns?

    public init(second: Int64, price: USDCents, source: PriceSource, legacyColumns: LegacyPriceColumns? = nil) {
        self.second = second
        self.price = price
        self.source = source
        self.legacyColumns = legacyColumns
    }

    public static let dataset = "price_history"
    public var naturalKey: String { String(second) }
    public var integerKey: Int64? { second }

    public func validate() throws {
        guard price.cents > 0 else {
            throw StorageError(.invalidRecord, subject: Self.dataset,
                               "price \(price) at \(UTCTime.iso8601(epochSeconds: second)) is not a positive amount")
        }
        guard second > 946_684_800, second < 4_102_444_800 else {  // 2000-01-01 ... 2100-01-01
            throw StorageError(.invalidRecord, subject: Self.dataset, "second \(second) is outside 2000...2100")
        }
    }
}

/// Where a second's price came from. Open set: a new source is a new static member.
public struct PriceSource: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Coinbase Exchange websocket ticker.
    public static let coinbaseWebSocket = PriceSource(rawValue: "coinbase_ws")
    /// Coinbase spot REST fallback.
    public static let coinbaseSpot = PriceSource(rawValue: "coinbase_spot")
    /// Kraken ticker REST fallback.
    public static let krakenTicker = PriceSource(rawValue: "kraken_ticker")
    /// The last price carried forward into a second with no trade.
    public static let carriedForward = PriceSource(rawValue: "carried_forward")
    /// Filled after an outage from the exchange's recent trades.
    public static let gapRepair = PriceSource(rawValue: "gap_repair")
    /// Loaded from the legacy SQLite file by `recioctl backfill`.
    public static let legacyBackfill = PriceSource(rawValue: "legacy_backfill")
}

/// The legacy `price_log` derived columns other than `one_minute_avg` (which the SQLite writer
/// computes from the table itself, as the legacy code did): PriceAnalytics' type, so the live
/// analysis and the legacy layout share one definition. `nil` values are SQL NULL.
public typealias LegacyPriceColumns = LegacyDerivedColumns
