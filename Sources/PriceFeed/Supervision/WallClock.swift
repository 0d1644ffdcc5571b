import Foundation

/// The wall clock the supervisor reads UTC seconds from and waits on. Injected so the per-second
/// loop can run against a controllable clock.
public protocol WallClock: Sendable {
    /// The current UTC time.
    func now() -> TradeTime
    /// Returns at or after `deadline` (UTC); throws `CancellationError` when cancelled.
    func sleep(until deadline: TradeTime) async throws
}

/// The system's UTC clock.
public struct SystemWallClock: WallClock {
    public init() {}

    public func now() -> TradeTime { TradeTime(epochSeconds: Date().timeIntervalSince1970) }

    public func sleep(until deadline: TradeTime) async throws {
        while true {
            let remaining = deadline.epochMicroseconds - now().epochMicroseconds
            if remaining <= 0 { return }
            try await Task.sleep(for: .microseconds(remaining))
        }
    }
}
