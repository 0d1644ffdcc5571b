@testable import PriceAnalytics

/// A deterministic BTC-like random walk in cents, one price a second, with holes cut out.
enum SyntheticSeries {
    /// Prices for `start ..< start + seconds`, minus the `gaps` (offset from `start`, length).
    static func randomWalk(seed: UInt64, start: Int64, seconds: Int64, gaps: [(offset: Int64, length: Int64)]) -> [PricePoint] {
        var rng = SplitMix64(seed: seed)
        var cents: Int64 = 6_543_210
        var points: [PricePoint] = []
        for i in 0 ..< seconds {
            // Mostly small moves, some unchanged seconds, an occasional jump.
            switch Int.random(in: 0 ..< 100, using: &rng) {
            case 0 ..< 15: break
            case 15 ..< 97: cents += Int64.random(in: -900 ... 900, using: &rng)
            default: cents += Int64.random(in: -25_000 ... 25_000, using: &rng)
            }
            cents = max(cents, 100_000)
            if gaps.contains(where: { i >= $0.offset && i < $0.offset + $0.length }) { continue }
            points.append(PricePoint(second: start + i, cents: cents))
        }
        return points
    }
}
