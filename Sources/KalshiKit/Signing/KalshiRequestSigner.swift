import _CryptoExtras
import Crypto
import Foundation

/// Signs Kalshi API requests as the API requires: headers `KALSHI-ACCESS-KEY` (the key id),
/// `KALSHI-ACCESS-TIMESTAMP` (milliseconds since the epoch) and `KALSHI-ACCESS-SIGNATURE` =
/// base64 of RSA-PSS (SHA-256, MGF1-SHA-256, salt length = digest length) over
/// `timestamp + METHOD + path`, the path including `/trade-api/v2` and excluding the query.
///
/// Only requests within `scope` are signed (by default the authenticated endpoints: a signature
/// costs an RSA operation, and the public market endpoints need none).
///
/// The private key stays inside this value; its description shows only the key id.
public struct KalshiRequestSigner: KalshiRequestHook, CustomStringConvertible {
    public let keyID: String
    private let key: _RSA.Signing.PrivateKey
    private let scope: @Sendable (_ path: String) -> Bool

    /// The authenticated endpoints: `/portfolio/...`, `/historical/fills`, `/historical/orders`.
    public static let accountEndpoints: @Sendable (String) -> Bool = { path in
        path.contains("/portfolio/") || path.hasSuffix("/historical/fills") || path.hasSuffix("/historical/orders")
    }

    /// A signer from PEM text (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`).
    public init(keyID: String, pem: String, source: String, scope: @escaping @Sendable (String) -> Bool = accountEndpoints) throws {
        guard !keyID.isEmpty else { throw KalshiSigningError(.invalidKey, source: source, "the key id is empty") }
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            // The library error can quote input; report only what kind of problem it is.
            throw KalshiSigningError(.invalidKey, source: source, "not an RSA private key in PEM form (2048 bits or more)")
        }
        self.keyID = keyID
        self.scope = scope
    }

    /// A signer whose key is read from `source`. Throws `KalshiSigningError` naming the source.
    public init(keyID: String, source: KalshiKeySource, environment: [String: String] = ProcessInfo.processInfo.environment,
                scope: @escaping @Sendable (String) -> Bool = accountEndpoints) throws {
        try self.init(keyID: keyID, pem: try source.readPEM(environment: environment), source: source.description, scope: scope)
    }

    public var description: String { "KalshiRequestSigner(key id \(keyID))" }

    /// The base64 signature of `timestamp + METHOD + path`.
    public func signature(timestampMilliseconds: Int64, method: String, path: String) throws -> String {
        let message = Data((String(timestampMilliseconds) + method.uppercased() + path).utf8)
        do {
            return try key.signature(for: SHA256.hash(data: message), padding: .PSS).rawRepresentation.base64EncodedString()
        } catch {
            throw KalshiSigningError(.signingFailed, source: "key id \(keyID)", "RSA-PSS signing failed")
        }
    }

    public func headers(method: String, path: String, at date: Date) async throws -> [(name: String, value: String)] {
        guard scope(path) else { return [] }
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        return [
            ("KALSHI-ACCESS-KEY", keyID),
            ("KALSHI-ACCESS-TIMESTAMP", String(milliseconds)),
            ("KALSHI-ACCESS-SIGNATURE", try signature(timestampMilliseconds: milliseconds, method: method, path: path)),
        ]
    }
}
