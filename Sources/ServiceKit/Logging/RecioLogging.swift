import Foundation
import Logging

/// The one call a REC.IO executable makes to set up logging, first thing in `main`.
public enum RecioLogging {
    /// Bootstraps swift-log with `JournaldLogHandler`: native journald entries when the process runs
    /// under journald (see `JournalDetection`), `<N>` lines on stderr otherwise. Every entry carries
    /// `SYSLOG_IDENTIFIER=<service>` and a `service` metadata field (`SERVICE=` in the journal).
    /// The level comes from `$RECIO_LOG_LEVEL` (`trace` … `critical`), default `info`.
    ///
    /// swift-log allows one bootstrap per process: call this exactly once.
    public static func bootstrap(
        service: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        let destination = LogDestination.automatic(.current(environment: environment))
        let level = logLevel(environment: environment)
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, service: service, destination: destination, logLevel: level)
        }
    }

    /// The handler `bootstrap` installs, for tests and tools that build loggers by hand.
    public static func makeHandler(
        label: String,
        service: String,
        destination: LogDestination,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> JournaldLogHandler {
        JournaldLogHandler(
            label: label, identifier: service, destination: destination, logLevel: logLevel,
            metadata: ["service": .string(service)], metadataProvider: metadataProvider)
    }

    /// `$RECIO_LOG_LEVEL` parsed, or `info`.
    public static func logLevel(environment: [String: String]) -> Logger.Level {
        environment["RECIO_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }
}
