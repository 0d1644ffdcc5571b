import Foundation
import Synchronization

/// Where a daemon stands in preparing its stores (connect, migrate): shared by the runner's retry
/// loop, the watchdog's health check and the `STATUS=` line.
///
/// A store that is down at start is not a fault of the daemon: while the retry loop keeps making
/// attempts the daemon stays healthy (systemd keeps getting pings, so it neither kills nor
/// restarts it); only an attempt that hangs longer than `hangLimit` fails the health check.
final class StorePreparation: Sendable {
    private struct State {
        var prepared = false
        var attempts = 0
        var attemptStarted: ContinuousClock.Instant?
        var lastError: String?
    }

    /// How long one attempt may run before the health check calls it hung.
    let hangLimit: Duration
    private let state = Mutex(State())

    init(hangLimit: Duration = .seconds(120)) {
        self.hangLimit = hangLimit
    }

    /// An attempt starts now.
    func begin() {
        state.withLock { $0.attemptStarted = .now }
    }

    /// The attempt failed; returns how many have failed so far.
    @discardableResult
    func failed(_ error: any Error) -> Int {
        state.withLock {
            $0.attempts += 1
            $0.attemptStarted = nil
            $0.lastError = String(describing: error)
            return $0.attempts
        }
    }

    /// The stores are ready.
    func succeeded() {
        state.withLock {
            $0.prepared = true
            $0.attemptStarted = nil
        }
    }

    var isPrepared: Bool { state.withLock { $0.prepared } }

    /// How long the attempt in progress has been running, when that is longer than `hangLimit`.
    var hung: Duration? {
        state.withLock { s in
            guard let started = s.attemptStarted else { return nil }
            let running = ContinuousClock.now - started
            return running > hangLimit ? running : nil
        }
    }

    /// The `STATUS=` part while the stores are not ready (`nil` once they are): starts with
    /// `waiting for stores`, which `recioctl` reads as "not healthy yet".
    func waitingStatus(recording: Bool) -> String? {
        state.withLock { s in
            guard !s.prepared, s.attempts > 0 else { return nil }
            let doing = recording ? "; recording into the spool meanwhile" : ""
            return "waiting for stores (attempt \(s.attempts)\(doing)): \((s.lastError ?? "").prefix(160))"
        }
    }
}
