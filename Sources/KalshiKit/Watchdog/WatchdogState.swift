import Foundation
import Synchronization

/// The watchdog's counters and last observations, shared by the poll loop, `health()` and
/// `statusLine()`.
struct WatchdogState: Sendable {
    var polls = 0
    var storedPolls = 0
    var failedPolls = 0
    var noOpenEventPolls = 0
    var storedSnapshots = 0
    var invalidMarkets = 0
    /// When the last "no open event" answer arrived, and for which ticker.
    var lastNoOpenEvent: (at: Date, ticker: String)?
    var lastEventTicker: String?
    var lastError: String?
    /// When the poll loop started: a daemon that has not had a poll's time to store anything yet is healthy.
    var startedAt: Date?

    mutating func record(_ outcome: PollOutcome, at date: Date) {
        switch outcome {
        case .stored(_, let snapshot):
            storedPolls += 1
            storedSnapshots += snapshot.markets.count
            invalidMarkets += snapshot.invalidMarkets.count
            lastEventTicker = snapshot.eventTicker
            lastNoOpenEvent = nil
        case .noOpenEvent(_, let ticker):
            noOpenEventPolls += 1
            lastNoOpenEvent = (date, ticker)
        case .failed(_, let ticker, let error):
            failedPolls += 1
            lastEventTicker = ticker
            lastError = "\(error.code)\(error.status.map { " \($0)" } ?? "")"
        }
    }
}
