/// What `CoinbaseTickerFeed` reports, in order.
public enum CoinbaseFeedEvent: Sendable, Hashable {
    /// The socket is open and the subscribe message was sent.
    case connected
    /// A new trade (never a duplicate or an older trade id than one already yielded).
    case trade(FeedTrade)
    /// The socket closed, failed, or went silent; the feed will reconnect after a backoff.
    case disconnected(reason: String)
}
