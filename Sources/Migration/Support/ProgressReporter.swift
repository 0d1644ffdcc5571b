import Foundation

/// Progress of a long copy on stderr: a redrawn bar with rows/s and ETA on a terminal, a plain
/// line every few seconds otherwise (journal, CI logs, pipes).
public final class ProgressReporter: @unchecked Sendable {
    // @unchecked: used by one task at a time (the backfill loop); the lock guards the counters
    // anyway so a status read from another task is consistent.
    private let lock = NSLock()
    private let label: String
    private let total: Int?
    private let terminal: Bool
    private let interval: Double
    private let output: @Sendable (String) -> Void
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var done = 0

    /// - Parameters:
    ///   - terminal: draw a bar (`true`) or print plain lines; defaults to whether stderr is a TTY.
    ///   - output: where the text goes (stderr by default).
    public init(label: String, total: Int?, terminal: Bool = isatty(2) == 1,
                output: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.total = total
        self.terminal = terminal
        self.interval = terminal ? 0.2 : 5
        self.output = output
    }

    /// Records that `count` more rows were processed, redrawing when due.
    public func advance(by count: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        output(line(now: now) + (terminal ? "\r" : "\n"))
    }

    /// Prints the final state (and ends the bar's line).
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        output(line(now: Date(), finished: true) + "\n")
    }

    /// `finished`: everything was processed, so the total is what was done (an estimated total,
    /// like the backfill's, may be a little off).
    private func line(now: Date, finished: Bool = false) -> String {
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        var text = "\(label): \(done)"
        if let total = finished && total != nil ? done : total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            if terminal {
                let width = 30
                let filled = Int(fraction * Double(width))
                text = "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)"
            }
            text += "/\(total) rows (\(Int(fraction * 100))%)"
            let eta = rate > 0 ? Double(max(0, total - done)) / rate : 0
            text += ", \(Int(rate)) rows/s, ETA \(Self.clock(eta))"
        } else {
            text += " rows, \(Int(rate)) rows/s"
        }
        return text + ", elapsed \(Self.clock(elapsed))"
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
