import ServiceKit

/// Why a stage change (cutover, rollback, rolling restart) did not happen or was undone. The
/// description names the service, what failed and what to do.
public struct StageError: Error, Sendable, CustomStringConvertible {
    /// What kind of refusal or failure (extensible).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The entry's writers, primary and reader do not describe one stage.
        public static let inconsistentEntry = Code("inconsistent_entry")
        /// The requested stage is not the next (or previous) one, or the entry cannot express it.
        public static let invalidStep = Code("invalid_step")
        /// Parity over the window failed, or no parity check exists for the service.
        public static let parityFailed = Code("parity_failed")
        /// The service has not been dual-writing for the minimum time.
        public static let tooSoon = Code("too_soon")
        /// The edited file did not pass the strict loader.
        public static let invalidConfig = Code("invalid_config")
        /// The service did not come back active and healthy; the previous file was restored.
        public static let unhealthy = Code("unhealthy")
        /// The service-control command failed.
        public static let control = Code("control")
        /// `--force` without a reason.
        public static let missingReason = Code("missing_reason")
    }

    public let code: Code
    /// The service concerned (`nil` when none).
    public let service: ServiceName?
    public let message: String

    public init(_ code: Code, service: ServiceName?, _ message: String) {
        self.code = code
        self.service = service
        self.message = message
    }

    public var description: String { service.map { "\($0.rawValue): \(message)" } ?? message }
}
