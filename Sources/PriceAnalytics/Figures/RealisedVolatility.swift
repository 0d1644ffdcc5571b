/// The realised volatility of 1-second log returns over one trailing window, annualised.
///
/// Definition, at second `t` over a window of `W` seconds:
/// - the returns are `r_s = ln(p_s / p_{s−1})` for `s` in `t − W + 1 ... t`, taken only where
///   both `s` and `s − 1` hold a price (and both are positive) — so a window holds at most `W`
///   returns, and the jump across a gap is *not* counted (it is not a 1-second return);
/// - with `n` returns and mean `r̄`, the per-second volatility is the sample standard deviation
///   `σ₁ = sqrt(Σ (r_s − r̄)² / (n − 1))` (ddof = 1), computed two-pass from the stored returns
///   on every call: exact, no running sum to drift;
/// - annualised: `σ = σ₁ · sqrt(secondsPerYear)`, with `secondsPerYear = 365.25 · 86 400 =
///   31 557 600` by default: BTC trades every second of every day, and the Julian year averages
///   leap years;
/// - `nil` ("missing history gives NULL, never a wrong number") when the series' history does not
///   reach back to the window start `t − W` (fresh start, or evicted), when fewer than
///   `minimumReturnFraction · W` returns are present (gaps), or when fewer than 2 returns are.
///
/// Why the sample standard deviation rather than the root mean square of returns: it is the
/// textbook estimator numpy and every spreadsheet give (`std(ddof=1)`), so a figure can be checked
/// by hand; it removes a trend from a short window, so a steady one-minute climb does not read as
/// volatility. At 1-second sampling the mean is tiny, so the two differ by a factor `≈ sqrt(n/(n−1))`
/// plus the trend term.
public struct RealisedVolatility: Sendable, Hashable, Codable {
    /// `365.25 · 86 400`: seconds in a Julian year.
    public static let julianYearSeconds: Double = 31_557_600

    /// The window length `W`, seconds.
    public var windowSeconds: Int64
    /// The number of 1-second returns found in the window.
    public var returnCount: Int
    /// The per-second sample standard deviation `σ₁`; `nil` when the window does not qualify.
    public var perSecond: Double?
    /// `σ₁ · sqrt(secondsPerYear)`; `nil` exactly when `perSecond` is.
    public var annualised: Double?

    /// A volatility figure as computed by `PriceSeries.realisedVolatility(windowSeconds:at:minimumReturnFraction:secondsPerYear:)`.
    public init(windowSeconds: Int64, returnCount: Int, perSecond: Double?, annualised: Double?) {
        self.windowSeconds = windowSeconds
        self.returnCount = returnCount
        self.perSecond = perSecond
        self.annualised = annualised
    }
}
