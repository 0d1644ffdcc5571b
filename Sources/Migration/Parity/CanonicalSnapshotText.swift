import Foundation
import StorageKit

/// The canonical encoding parity compares market snapshots by: every stored column but the raw
/// JSON (PostgreSQL's `jsonb` re-spaces it) as text joined by `|` — capture second, tickers, status,
/// prices with 4 decimals, counts with 2, open/close as epoch seconds, strike type and strikes
/// (empty when absent). A row's hash is the first 8 bytes of the SHA-256 of that text, read
/// big-endian; PostgreSQL computes the same (`rowHash`) inside the server.
enum CanonicalSnapshotText {
    static func text(_ s: MarketSnapshot) -> String {
        [String(s.second), s.marketTicker, s.eventTicker, s.status,
         s.yesBid.description, s.yesAsk.description, s.noBid.description, s.noAsk.description, s.lastPrice.description,
         s.volume.description, s.volume24h?.description ?? "", s.openInterest.description,
         String(s.openTime), String(s.closeTime), s.strikeType ?? "", s.floorStrike ?? "", s.capStrike ?? ""].joined(separator: "|")
    }

    static func hash(_ s: MarketSnapshot) -> UInt64 {
        var hasher = SHA256()
        hasher.update(Data(text(s).utf8))
        return hasher.finalize().prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The same text, as a SQL expression over a `market_snapshots` row.
    static let sql = """
        extract(epoch FROM ts)::bigint::text || '|' || market_ticker || '|' || event_ticker || '|' || status || '|' || \
        yes_bid::text || '|' || yes_ask::text || '|' || no_bid::text || '|' || no_ask::text || '|' || last_price::text || '|' || \
        volume::text || '|' || coalesce(volume_24h::text, '') || '|' || open_interest::text || '|' || \
        extract(epoch FROM open_time)::bigint::text || '|' || extract(epoch FROM close_time)::bigint::text || '|' || \
        coalesce(strike_type, '') || '|' || coalesce(floor_strike::text, '') || '|' || coalesce(cap_strike::text, '')
        """

    /// The row hash in SQL.
    static let rowHash = "('x' || encode(substring(sha256(convert_to(\(sql), 'UTF8')) FROM 1 FOR 8), 'hex'))::bit(64)::bigint"
}
