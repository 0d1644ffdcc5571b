import Foundation
import Logging

/// Collects log events in memory so tests can assert what a component logged.
///
/// `@unchecked Sendable`: `events` is read and written only while holding `lock`.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []

    var entries: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { lock.withLock { events } }

    func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        lock.withLock { events.append((level, message, metadata)) }
    }

    /// A logger at `trace` level that records into this capture.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        capture.append(event.level, event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
