import Foundation

/// An in-memory, bounded window of per-second BTC/USD prices (UTC epoch second → exact cents): the
/// history every figure of this library is computed from.
///
/// Storage is a ring of `capacitySeconds` slots, one per second, so memory is fixed at creation
/// (about 24 bytes a second: 94 KB for the default 1 h + 5 min) and never grows. Each slot keeps
/// the price *in effect* at its second (the latest price at or before it, with the second that
/// price came from) and the 1-second log return ending there, so:
/// - `append` of a later second is O(1) amortised (a gap of g seconds costs O(min(g, capacity))
///   once, to carry the last price through the gap's slots);
/// - "price at or before t" is O(1), also across gaps and even when the price in effect is older
///   than the window (it is carried, so `delta_30m` after a 2-hour outage still finds the last
///   price before it, as the legacy 30-day table did).
///
/// **Window.** The series holds the seconds `latestSecond − capacitySeconds + 1 ... latestSecond`.
/// Appending a later second evicts everything older than that. Queries about seconds before
/// `retainedFrom` answer `nil` ("unknown"), never a guess.
///
/// **Gaps.** A second without a price simply has none: figures that need it (returns, averages)
/// skip it; "at or before" looks through it.
///
/// **Out of order and duplicates.** A second earlier than the latest but still inside the window
/// is inserted in place (cost O(distance to the next held price)); a second already held is
/// replaced — last write wins, as the legacy SQLite `INSERT OR REPLACE`. A second older than the
/// window is rejected and the series is unchanged. `append` says which happened.
///
/// Prices are taken as given (any `Int64`); a log return needs both prices positive, a delta
/// needs a non-zero past price, so a zero or negative price yields `nil` figures, not a trap.
public struct PriceSeries: Sendable {
    /// Default capacity: the 1-hour volatility window plus a 5-minute margin for late rows and
    /// for computing a sample a little behind the newest price.
    public static let defaultCapacitySeconds = 3_600 + 300

    /// Number of seconds (slots) the series keeps; fixed at creation.
    public let capacitySeconds: Int

    /// Marks a slot no price has reached yet.
    static let noSource = Int64.min

    /// Per slot: the second of the price in effect at the slot's second (`noSource` if none).
    var sources: [Int64]
    /// Per slot: the price in effect (cents); meaningless when the source is `noSource`.
    var prices: [Int64]
    /// Per slot: `ln(p_s / p_{s−1})` when both seconds are held with positive prices, else NaN.
    var logReturns: [Double]

    /// The earliest second ever held (lowered by an out-of-order insert before it).
    public private(set) var firstSecond: Int64?
    /// The latest second held; the series' "now".
    public private(set) var latestSecond: Int64?

    /// Creates an empty series keeping `capacitySeconds` seconds (at least 2).
    public init(capacitySeconds: Int = PriceSeries.defaultCapacitySeconds) {
        precondition(capacitySeconds >= 2, "a PriceSeries needs at least 2 seconds of capacity")
        self.capacitySeconds = capacitySeconds
        sources = Array(repeating: Self.noSource, count: capacitySeconds)
        prices = Array(repeating: 0, count: capacitySeconds)
        logReturns = Array(repeating: .nan, count: capacitySeconds)
    }

    /// Whether no price has been appended yet.
    public var isEmpty: Bool { latestSecond == nil }

    /// The earliest second the series can still answer for: the first second held, or the oldest
    /// second not yet evicted, whichever is later. `nil` when empty.
    public var retainedFrom: Int64? {
        guard let first = firstSecond, let latest = latestSecond else { return nil }
        return max(first, latest - Int64(capacitySeconds) + 1)
    }

    /// Whether seconds before `retainedFrom` were held once and evicted (so the series cannot tell
    /// what they held), as opposed to never having been given.
    public var hasEvicted: Bool {
        guard let first = firstSecond, let latest = latestSecond else { return false }
        return latest - Int64(capacitySeconds) + 1 > first
    }

    /// The newest price, or `nil` when empty.
    public var latest: PricePoint? {
        guard let latest = latestSecond else { return nil }
        return PricePoint(second: latest, cents: prices[slot(latest)])
    }

    /// The ring slot of a second.
    @inline(__always) func slot(_ second: Int64) -> Int {
        let c = Int64(capacitySeconds)
        let r = second % c
        return Int(r < 0 ? r + c : r)
    }

    /// Whether `second` is inside the retained window and holds its own price.
    func holds(_ second: Int64) -> Bool {
        guard let from = retainedFrom, let latest = latestSecond, second >= from, second <= latest else { return false }
        return sources[slot(second)] == second
    }

    /// The price recorded for exactly `second`, or `nil` when that second has none (a gap) or is
    /// outside the window.
    public func price(at second: Int64) -> Int64? {
        holds(second) ? prices[slot(second)] : nil
    }

    /// The latest price at or before `second` (the legacy "price at or before now − N min").
    /// `nil` when there is none, or when `second` is before `retainedFrom` (unknown). A `second`
    /// after the latest gives the latest price.
    public func price(atOrBefore second: Int64) -> PricePoint? {
        guard let latest = latestSecond, let from = retainedFrom else { return nil }
        if second >= latest { return PricePoint(second: latest, cents: prices[slot(latest)]) }
        guard second >= from else { return nil }
        let i = slot(second)
        let source = sources[i]
        return source == Self.noSource ? nil : PricePoint(second: source, cents: prices[i])
    }

    /// The log return ending at `second` from its two prices, or NaN when either is not positive.
    @inline(__always) static func logReturn(_ price: Int64, after previous: Int64) -> Double {
        guard price > 0, previous > 0 else { return .nan }
        return log(Double(price) / Double(previous))
    }

    /// Records the price of one second. See the type's documentation for gaps, out-of-order and
    /// duplicate seconds; the outcome says which case applied.
    @discardableResult
    public mutating func append(second: Int64, cents: Int64) -> AppendOutcome {
        guard let latest = latestSecond, let first = firstSecond else {
            firstSecond = second
            latestSecond = second
            let i = slot(second)
            sources[i] = second
            prices[i] = cents
            logReturns[i] = .nan
            return .appended
        }
        let c = Int64(capacitySeconds)
        if second > latest {
            // Carry the latest price through the gap's slots (only the ones that stay in the window).
            let carried = prices[slot(latest)]
            var x = max(latest + 1, second - c + 1)
            while x < second {
                let i = slot(x)
                sources[i] = latest
                prices[i] = carried
                logReturns[i] = .nan
                x += 1
            }
            let i = slot(second)
            sources[i] = second
            prices[i] = cents
            logReturns[i] = second == latest + 1 ? Self.logReturn(cents, after: carried) : .nan
            latestSecond = second
            return .appended
        }
        guard second > latest - c else { return .rejectedTooOld }
        let wasHeld = holds(second)
        if second < first {
            // Nothing was evicted (the whole history fits in the window), so the slots between
            // the new and the old first second were never written: the new price is in effect there.
            var x = second + 1
            while x < first {
                let i = slot(x)
                sources[i] = second
                prices[i] = cents
                logReturns[i] = .nan
                x += 1
            }
            firstSecond = second
        }
        let i = slot(second)
        sources[i] = second
        prices[i] = cents
        logReturns[i] = holds(second - 1) ? Self.logReturn(cents, after: prices[slot(second - 1)]) : .nan
        if second < latest {
            // Later slots that carried an older price (or this second's previous one) now carry this.
            var x = second + 1
            while x <= latest {
                let j = slot(x)
                if sources[j] == x {
                    if x == second + 1 { logReturns[j] = Self.logReturn(prices[j], after: cents) }
                    break
                }
                sources[j] = second
                prices[j] = cents
                x += 1
            }
        }
        return wasHeld ? .replaced : .insertedOutOfOrder
    }
}
