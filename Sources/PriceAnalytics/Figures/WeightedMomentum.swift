/// The legacy `weighted_momentum_score`: the weighted mean of the deltas that are available,
/// the weights renormalised over them.
///
/// `score = Σ wᵢ·dᵢ / Σ wᵢ` over the `i` whose delta `dᵢ` is not `nil`; `nil` when no delta is
/// available (or the available ones all have weight 0).
public struct WeightedMomentum: Sendable, Hashable {
    /// The legacy weights for `delta_1m, 2m, 3m, 4m, 15m, 30m`.
    public static let legacyWeights: [Double] = [0.3, 0.25, 0.2, 0.15, 0.05, 0.05]

    /// One weight per delta, in the order the deltas are given to `score(_:)`.
    public let weights: [Double]

    /// Momentum with the given weights (finite, non-negative; checked by `AnalyzerConfiguration`).
    public init(weights: [Double] = WeightedMomentum.legacyWeights) {
        self.weights = weights
    }

    /// The score of `deltas` (same count and order as `weights`; extra entries on either side are ignored).
    public func score(_ deltas: [Double?]) -> Double? {
        var weighted = 0.0
        var total = 0.0
        for (delta, weight) in zip(deltas, weights) {
            guard let delta else { continue }
            weighted += weight * delta
            total += weight
        }
        return total > 0 ? weighted / total : nil
    }
}
