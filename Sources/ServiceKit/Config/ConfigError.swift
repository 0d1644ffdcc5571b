/// A problem with `services.json`: which file, where in it (a JSON path such as
/// `$.services.btc_price_watchdog.primary`), and what was expected. Daemons exit with
/// `EX_CONFIG` (78) on it, so systemd does not restart them in a loop over a typo.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static let unreadable = Code("unreadable")
        public static let syntax = Code("syntax")
        public static let missingKey = Code("missing_key")
        public static let unknownKey = Code("unknown_key")
        public static let wrongType = Code("wrong_type")
        public static let invalidValue = Code("invalid_value")
    }

    public var code: Code
    public var file: String
    /// JSON path of the offending value (`$` for the whole document).
    public var path: String
    public var message: String

    public init(_ code: Code, file: String, path: String, _ message: String) {
        self.code = code
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String { "\(file): \(path): \(message)" }
}
