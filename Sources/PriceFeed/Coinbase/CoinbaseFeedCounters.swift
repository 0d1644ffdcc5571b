/// Running counts of what the websocket feed received and dropped, for `STATUS=` and the journal.
public struct CoinbaseFeedCounters: Sendable, Hashable {
    public var connections = 0
    public var disconnects = 0
    public var messages = 0
    public var tradesYielded = 0
    /// Tickers whose trade id was not newer than the last one yielded (duplicates, replays, reordering).
    public var duplicateOrOutOfOrder = 0
    /// Frames that were not JSON or lacked required fields.
    public var malformed = 0
    /// Tickers whose price was not a positive decimal.
    public var invalidPrice = 0
    /// Tickers for another product.
    public var wrongProduct = 0
    /// `error` messages from the exchange.
    public var serverErrors = 0
    public var heartbeats = 0
    /// Message types the feed does not use.
    public var unknownTypes = 0

    public init() {}
}
