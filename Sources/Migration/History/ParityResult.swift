/// One parity run's outcome for a service, as kept in `parity_results`.
public struct ParityResult: Sendable, Equatable, Codable {
    public var service: String
    public var dataset: String
    /// UTC epoch seconds.
    public var ranAt: Int64
    public var windowFrom: Int64
    public var windowTo: Int64
    public var ok: Bool
    /// Counts in one line (`buckets 168, rows 604800/604800, mismatches 0, artefacts 3`).
    public var summary: String

    public init(service: String, dataset: String, ranAt: Int64, windowFrom: Int64, windowTo: Int64, ok: Bool, summary: String) {
        self.service = service
        self.dataset = dataset
        self.ranAt = ranAt
        self.windowFrom = windowFrom
        self.windowTo = windowTo
        self.ok = ok
        self.summary = summary
    }

    /// `pass (…)` / `FAIL (…)` with the window, for tables and the stage history.
    public var line: String {
        "\(ok ? "pass" : "FAIL") \(TimeArgument.format(windowFrom))…\(TimeArgument.format(windowTo)): \(summary)"
    }
}
