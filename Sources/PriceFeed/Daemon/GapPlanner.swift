/// Finds the holes in the per-second history as ticks are produced: a tick more than one second
/// after the previous one (or after the last stored second, at start-up) leaves the seconds between
/// them missing. The most recent `maxRepairSeconds` of a hole are handed to gap repair; anything
/// older is reported as a gap that will not be repaired (the recent-trades endpoint reaches back
/// only so far, and a long outage is better reported than half-filled).
public struct GapPlanner: Sendable, Hashable {
    /// The missing seconds found before one tick.
    public struct Hole: Sendable, Hashable {
        /// The seconds to repair (inclusive), if any.
        public var repair: ClosedRange<Int64>?
        /// The older seconds left as a gap (inclusive), if any.
        public var tooOld: ClosedRange<Int64>?

        public init(repair: ClosedRange<Int64>?, tooOld: ClosedRange<Int64>?) {
            self.repair = repair
            self.tooOld = tooOld
        }
    }

    /// The latest second seen (produced or stored).
    public private(set) var lastSecond: Int64?
    /// The most recent seconds of a hole that are repaired.
    public let maxRepairSeconds: Int64

    public init(lastSecond: Int64? = nil, maxRepairSeconds: Int64) {
        self.lastSecond = lastSecond
        self.maxRepairSeconds = max(0, maxRepairSeconds)
    }

    /// Notes a second known to be stored (the last row found at start-up).
    public mutating func noteStored(_ second: Int64) {
        lastSecond = max(lastSecond ?? second, second)
    }

    /// Notes a produced tick and returns the hole before it, if there is one.
    public mutating func observe(_ second: Int64) -> Hole? {
        defer { lastSecond = max(lastSecond ?? second, second) }
        guard let last = lastSecond, second > last + 1 else { return nil }
        let first = last + 1, end = second - 1
        let repairFrom = max(first, second - maxRepairSeconds)
        return Hole(repair: repairFrom <= end ? repairFrom...end : nil,
                    tooOld: repairFrom > first ? first...min(end, repairFrom - 1) : nil)
    }
}
