/// One realised-volatility figure of a stored analysis sample: the window it covers and the
/// annualised value (`nil` when the history could not support it).
public struct VolatilityFigure: Sendable, Hashable, Codable {
    /// The trailing window, seconds (60, 300, 900, 3600 by default).
    public var windowSeconds: Int64
    /// Annualised volatility of 1-second log returns over the window; `nil` is SQL/JSON null.
    public var annualised: Double?

    /// A figure for `windowSeconds`.
    public init(windowSeconds: Int64, annualised: Double?) {
        self.windowSeconds = windowSeconds
        self.annualised = annualised
    }
}
