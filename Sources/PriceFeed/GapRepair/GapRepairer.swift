import Logging
import StorageKit

/// Fills missing seconds of the price history from the exchange's recent trades: each missing
/// second gets the last trade at or before its end (`time < second + 1`), source `.gapRepair`.
/// Pages are fetched newest first until a trade at or before the start of the range is seen (so
/// the first second has a known price), the pages run out, or `maxPages` is reached. Seconds with
/// no trade at or before them are reported as unrepairable ranges.
public struct GapRepairer: Sendable {
    /// Ticks for the repaired seconds (ascending) and the ranges that could not be repaired.
    public struct Result: Sendable, Hashable {
        public var ticks: [PriceTick]
        public var unrepaired: [ClosedRange<Int64>]
        public var pagesFetched: Int
    }

    public var client: CoinbaseTradesClient
    public var maxPages: Int
    private let logger: Logger

    public init(client: CoinbaseTradesClient = CoinbaseTradesClient(), maxPages: Int = 50, logger: Logger) {
        self.client = client
        self.maxPages = max(1, maxPages)
        self.logger = logger
    }

    /// Repairs `seconds` (UTC epoch seconds, inclusive).
    public func repair(_ seconds: ClosedRange<Int64>) async throws(PriceFeedError) -> Result {
        var trades: [FeedTrade] = []
        var cursor: String?
        var pages = 0
        while pages < maxPages {
            let page = try await client.fetchPage(after: cursor)
            pages += 1
            trades += page.trades
            let oldest = page.trades.map(\.time).min()
            if let oldest, oldest.second < seconds.lowerBound { break }  // covers the start of the range
            guard let next = page.nextCursor, !page.trades.isEmpty else { break }
            cursor = next
        }
        let result = Self.fill(seconds, from: trades, pagesFetched: pages)
        for gap in result.unrepaired {
            logger.warning("price history gap could not be repaired", metadata: [
                "gap.first": .stringConvertible(gap.lowerBound), "gap.last": .stringConvertible(gap.upperBound),
                "gap.seconds": .stringConvertible(gap.count),
            ])
        }
        return result
    }

    /// The pure part: the last trade at or before the end of each second (ties in time broken by
    /// trade id). Exposed for tests and for callers that already hold trades.
    public static func fill(_ seconds: ClosedRange<Int64>, from trades: [FeedTrade], pagesFetched: Int = 0) -> Result {
        let ordered = trades.sorted { ($0.time, $0.tradeId ?? 0) < ($1.time, $1.tradeId ?? 0) }
        var ticks: [PriceTick] = []
        var unrepaired: [ClosedRange<Int64>] = []
        var gapStart: Int64?
        var index = 0
        var last: FeedTrade?
        for second in seconds {
            while index < ordered.count, ordered[index].time.second <= second {
                last = ordered[index]
                index += 1
            }
            if let last {
                if let start = gapStart { unrepaired.append(start...(second - 1)); gapStart = nil }
                ticks.append(PriceTick(second: second, price: last.price, source: .gapRepair))
            } else if gapStart == nil {
                gapStart = second
            }
        }
        if let start = gapStart { unrepaired.append(start...seconds.upperBound) }
        return Result(ticks: ticks, unrepaired: unrepaired, pagesFetched: pagesFetched)
    }
}
