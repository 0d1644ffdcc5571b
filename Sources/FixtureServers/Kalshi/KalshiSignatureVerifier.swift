import _CryptoExtras
import Crypto
import Foundation

/// Checks Kalshi request signatures as the real API does: `KALSHI-ACCESS-KEY` names the key,
/// `KALSHI-ACCESS-TIMESTAMP` is milliseconds, and `KALSHI-ACCESS-SIGNATURE` is base64 RSA-PSS
/// (SHA-256, MGF1-SHA-256, salt = digest length) over `timestamp + METHOD + path` (no query),
/// verified with the account's public key.
public struct KalshiSignatureVerifier: Sendable {
    public let keyID: String
    private let publicKey: _RSA.Signing.PublicKey

    /// `publicKeyPEM`: `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo) or PKCS#1.
    public init(keyID: String, publicKeyPEM: String) throws {
        self.keyID = keyID
        self.publicKey = try _RSA.Signing.PublicKey(pemRepresentation: publicKeyPEM)
    }

    /// Why a request is refused, or `nil` when its signature is valid.
    public func problem(method: String, path: String, headers: [String: String]) -> String? {
        guard let key = headers["kalshi-access-key"] else { return "missing KALSHI-ACCESS-KEY" }
        guard key == keyID else { return "unknown key id" }
        guard let timestamp = headers["kalshi-access-timestamp"], Int64(timestamp) != nil else {
            return "missing or non-numeric KALSHI-ACCESS-TIMESTAMP"
        }
        guard let encoded = headers["kalshi-access-signature"], let raw = Data(base64Encoded: encoded) else {
            return "missing or non-base64 KALSHI-ACCESS-SIGNATURE"
        }
        let message = Data((timestamp + method.uppercased() + path).utf8)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: raw)
        guard publicKey.isValidSignature(signature, for: SHA256.hash(data: message), padding: .PSS) else {
            return "signature does not verify"
        }
        return nil
    }
}
