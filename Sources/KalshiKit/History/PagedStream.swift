import Foundation
import StorageKit

/// A cursor-paginated Kalshi list ingested into one record type, with its checkpoint name.
struct PagedStream<Record: StorableRecord>: Sendable {
    /// The checkpoint's stream name (`fills`, `trades/KXBTCD-…`).
    var name: String
    var path: String
    /// The array member holding the items (`fills`, `markets`...).
    var itemsKey: String
    /// Query items of every page (`series_ticker`, `status`, `ticker`).
    var fixedQuery: [URLQueryItem]
    /// The query items bounding one pass `[min, max]` (`min_ts`, `max_ts`...).
    var window: @Sendable (_ min: Int64, _ max: Int64) -> [URLQueryItem]
    var decode: @Sendable (OrderedJSON) throws -> Record
    /// Whether a decoded record belongs in the store (the configured start date).
    var keep: @Sendable (Record) -> Bool = { _ in true }
    /// Reads one item straight from the page's bytes (`nil`: through `decode`), for the bulk lists;
    /// without it, pages are parsed into a tree and every item goes through `decode`.
    var fast: (@Sendable (inout JSONByteReader) throws(OrderedJSONError) -> Record?)?

    /// `min_ts`/`max_ts`.
    static func timestamps(_ min: Int64, _ max: Int64) -> [URLQueryItem] {
        [URLQueryItem(name: "min_ts", value: String(min)), URLQueryItem(name: "max_ts", value: String(max))]
    }

    /// Only `max_ts` (the historical lists take no lower bound).
    static func upTo(_ min: Int64, _ max: Int64) -> [URLQueryItem] {
        [URLQueryItem(name: "max_ts", value: String(max))]
    }
}
