import PriceAnalytics

/// What one analysis cycle did: the sample it computed and how much it read.
public struct CycleReport: Sendable, Hashable {
    /// The sample for the cycle's second.
    public var sample: AnalysisSample
    /// Price rows fetched from the store this cycle (the whole window on the first cycle, then
    /// normally one a second).
    public var rowsFetched: Int
    /// Whether this was the start-up load of the window.
    public var initialLoad: Bool
    /// The store read (`sqlite`, `postgres`).
    public var readerName: String

    /// A report of one cycle.
    public init(sample: AnalysisSample, rowsFetched: Int, initialLoad: Bool, readerName: String) {
        self.sample = sample
        self.rowsFetched = rowsFetched
        self.initialLoad = initialLoad
        self.readerName = readerName
    }
}
