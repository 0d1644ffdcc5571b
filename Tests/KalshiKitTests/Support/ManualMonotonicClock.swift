import Foundation
@testable import KalshiKit

/// A `MonotonicClock` the test moves by hand: sleepers wait until `advance` passes their deadline,
/// and `nextSleeper()` lets a test await the moment the code under test starts waiting.
final class ManualMonotonicClock: MonotonicClock, @unchecked Sendable {
    // Safe: every stored property is read and written only while holding `lock`.
    private let lock = NSLock()
    private var current: Duration = .zero
    private var sleepers: [(deadline: Duration, continuation: CheckedContinuation<Void, Error>)] = []
    private var watchers: [CheckedContinuation<Duration, Never>] = []

    func now() -> Duration { lock.withLock { current } }

    func sleep(until deadline: Duration) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            let (ready, notify): (Bool, [CheckedContinuation<Duration, Never>]) = lock.withLock {
                if deadline <= current { return (true, []) }
                sleepers.append((deadline, c))
                defer { watchers.removeAll() }
                return (false, watchers)
            }
            if ready { c.resume() }
            for w in notify { w.resume(returning: deadline) }
        }
    }

    /// Waits until something sleeps on the clock; returns the earliest pending deadline.
    func nextSleeper() async -> Duration {
        await withCheckedContinuation { (c: CheckedContinuation<Duration, Never>) in
            let earliest: Duration? = lock.withLock {
                if let first = sleepers.map(\.deadline).min() { return first }
                watchers.append(c)
                return nil
            }
            if let earliest { c.resume(returning: earliest) }
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has passed.
    func advance(by d: Duration) {
        let due: [CheckedContinuation<Void, Error>] = lock.withLock {
            current += d
            let ready = sleepers.filter { $0.deadline <= current }.map(\.continuation)
            sleepers.removeAll { $0.deadline <= current }
            return ready
        }
        for c in due { c.resume() }
    }

    /// Moves the clock to `t` (if later).
    func advance(to t: Duration) {
        let d = t - now()
        if d > .zero { advance(by: d) }
    }
}
