/// One `delta_Nm` figure of a sample: the price change over `minutes`, in percent.
public struct MinuteDelta: Sendable, Hashable, Codable {
    /// The horizon N, minutes.
    public var minutes: Int
    /// `(cur − past) / past × 100`; `nil` when a price is missing or the past price is 0.
    public var percent: Double?

    /// The delta over `minutes`.
    public init(minutes: Int, percent: Double?) {
        self.minutes = minutes
        self.percent = percent
    }
}
