import StorageKit

/// What one poll of one series produced.
public enum PollOutcome: Sendable {
    /// The event answered; `snapshot.markets` are stored.
    case stored(series: String, snapshot: EventSnapshot)
    /// Kalshi has no such event (404): nothing to store, and healthy.
    case noOpenEvent(series: String, ticker: String)
    /// The request failed (after its retries) or the answer was unusable: nothing stored.
    case failed(series: String, ticker: String, error: KalshiAPIError)
}
