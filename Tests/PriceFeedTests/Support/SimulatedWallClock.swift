import Foundation
import PriceFeed
import Synchronization

/// A `WallClock` that runs as fast as its user: `sleep(until:)` moves "now" to the deadline at once.
/// Past `end` it stops advancing (sleeps until cancelled) and reports that through `finished`, so
/// a test can simulate hours of per-second loop in seconds. `onAdvance` runs at each new deadline,
/// before the sleeper resumes (to change what the fixture answers at a given simulated instant).
final class SimulatedWallClock: WallClock {
    private let micros: Mutex<Int64>
    private let end: Int64
    private let onAdvance: @Sendable (Int64) -> Void
    private let finishedSink: AsyncStream<Void>.Continuation
    /// Yields once when the clock reaches `end`.
    let finished: AsyncStream<Void>

    init(start: Int64, end: Int64, onAdvance: @escaping @Sendable (Int64) -> Void = { _ in }) {
        micros = Mutex(start * 1_000_000)
        self.end = end
        self.onAdvance = onAdvance
        (finished, finishedSink) = AsyncStream.makeStream(of: Void.self)
    }

    func now() -> TradeTime { TradeTime(epochMicroseconds: micros.withLock { $0 }) }

    func sleep(until deadline: TradeTime) async throws {
        try Task.checkCancellation()
        if deadline.second > end {
            finishedSink.yield()
            // The simulated run is over: stay here until the test cancels the daemon.
            try await Task.sleep(for: .seconds(3_600))
            return
        }
        micros.withLock { $0 = max($0, deadline.epochMicroseconds) }
        onAdvance(deadline.second)
        await Task.yield()
    }
}
