import Logging
import PriceAnalytics
import StorageKit

/// The analysis loop's state: the in-memory price window, the read cursor and the reader.
///
/// The first cycle loads the window once (`capacity` seconds up to now, plus the last row before
/// it, so prices carried across a gap at the window's start are known); every later cycle reads
/// only the rows newer than the newest one seen (`ticks(from: last + 1, to: now + 1)`, an indexed
/// range), appends them and computes `Analyzer.sample(at: now)`. The time is passed in, so tests
/// drive it with any clock.
///
/// **Reader switch.** `install(_:)` queues a new reader; the next cycle closes the old one and
/// continues from the same cursor with the same series, so switching stores that hold the same
/// history changes no figure.
///
/// **Late rows.** A row whose second is older than the newest seen is not read again (the cursor
/// is by timestamp); the price watchdog writes in time order, so only a later gap repair is missed,
/// until the daemon restarts.
public actor LiveAnalysisEngine {
    /// What is computed.
    public let analyzer: Analyzer
    private var series: PriceSeries
    private let logger: Logger
    private var reader: (any PriceHistoryReader)?
    private var nextReader: (any PriceHistoryReader)?
    /// The next second to read from; `nil` before the initial load.
    private var cursor: Int64?
    private var wasStale: Bool?

    /// Rows fetched by the latest cycle.
    public private(set) var lastRowsFetched = 0
    /// Rows fetched since start.
    public private(set) var totalRowsFetched = 0
    /// Cycles completed.
    public private(set) var cycles = 0
    /// The latest sample computed.
    public private(set) var lastSample: AnalysisSample?

    /// An engine keeping `capacitySeconds` of history (at least what `analyzer` needs).
    public init(analyzer: Analyzer, capacitySeconds: Int? = nil, logger: Logger) {
        self.analyzer = analyzer
        let needed = analyzer.configuration.requiredCapacitySeconds
        series = PriceSeries(capacitySeconds: max(capacitySeconds ?? needed + 300, needed))
        self.logger = logger
    }

    /// The name of the reader in use (or about to be), `nil` before one is installed.
    public var readerName: String? { (nextReader ?? reader)?.name }

    /// The newest price second held.
    public var latestSecond: Int64? { series.latestSecond }

    /// Uses `reader` from the next cycle on; the previous reader is closed then.
    public func install(_ reader: any PriceHistoryReader) async {
        let replaced = nextReader  // replaced before it was ever used
        nextReader = reader
        await replaced?.close()
    }

    /// One cycle at UTC second `now`: read what is new, append it, compute the sample.
    public func cycle(now: Int64) async throws -> CycleReport {
        if let next = nextReader {
            let previous = reader
            reader = next
            nextReader = nil
            if let previous {
                await previous.close()
                logger.notice("price history reader switched", metadata: ["reader.from": "\(previous.name)", "reader.to": "\(next.name)",
                                                                           "cursor": "\(cursor.map(String.init) ?? "-")"])
            }
        }
        guard let reader else { throw LiveAnalysisError(.noReader, "no price history reader (the daemon was not prepared)") }
        let initialLoad = cursor == nil
        var fetched: [PriceTick]
        if let from = cursor {
            fetched = from <= now ? try await reader.ticks(from: from, to: now + 1) : []
        } else {
            let start = now - Int64(series.capacitySeconds) + 1
            fetched = try await reader.ticks(from: start, to: now + 1)
            if let before = try await reader.lastTick(before: start) { fetched.insert(before, at: 0) }
            cursor = start
        }
        for tick in fetched { series.append(second: tick.second, cents: tick.price.cents) }
        if let last = fetched.last?.second { cursor = max(cursor!, last + 1) }
        if series.isEmpty {
            // Nothing ever seen: keep the searched range to the window.
            cursor = max(cursor!, now - Int64(series.capacitySeconds) + 1)
        }
        let sample = analyzer.sample(at: now, in: series)
        noteStaleness(sample)
        lastRowsFetched = fetched.count
        totalRowsFetched += fetched.count
        cycles += 1
        lastSample = sample
        return CycleReport(sample: sample, rowsFetched: fetched.count, initialLoad: initialLoad, readerName: reader.name)
    }

    /// Closes the readers.
    public func close() async {
        await nextReader?.close()
        await reader?.close()
        nextReader = nil
        reader = nil
    }

    /// Warns once when the input turns stale and once when it recovers.
    private func noteStaleness(_ sample: AnalysisSample) {
        guard sample.stale != wasStale else { return }
        let threshold = analyzer.configuration.staleAfterSeconds
        if sample.stale {
            let age = sample.secondsSinceLastPrice.map { "no new price for \($0) s" } ?? "no price at all"
            logger.warning("price input stale: \(age); samples are marked stale", metadata: [
                "stale.threshold_s": "\(threshold)", "price.last_second": "\(sample.price?.second.description ?? "-")",
            ])
        } else if wasStale != nil {
            logger.notice("price input recovered", metadata: ["price.last_second": "\(sample.price?.second.description ?? "-")"])
        }
        wasStale = sample.stale
    }
}
