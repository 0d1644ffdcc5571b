/// The Kalshi API key could not be loaded or used. The description names the file or credential,
/// never the key material.
public struct KalshiSigningError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The key file or credential does not exist or cannot be read.
        public static let unreadable = Code("key_unreadable")
        /// The file is not an RSA private key in PEM form.
        public static let invalidKey = Code("key_invalid")
        /// Signing failed.
        public static let signingFailed = Code("signing_failed")
    }

    public var code: Code
    /// Where the key came from (`/etc/recio/kalshi.pem`, `credential kalshi-key`).
    public var source: String
    public var message: String

    public init(_ code: Code, source: String, _ message: String) {
        self.code = code
        self.source = source
        self.message = message
    }

    public var description: String { "Kalshi API key (\(source)): \(message) [\(code)]" }
}
