import Foundation

/// Where the Kalshi RSA private key is read from: an absolute file path, or a systemd credential
/// (`LoadCredential=NAME:...`, read from `$CREDENTIALS_DIRECTORY/NAME`), like the PostgreSQL
/// password. The key itself never appears in the config, in argv or in any log line.
public enum KalshiKeySource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case credential(String)

    /// Where, for messages (never the contents).
    public var description: String {
        switch self {
        case .file(let path): return path
        case .credential(let name): return "credential \(name)"
        }
    }

    /// Reads the PEM text. Throws `KalshiSigningError(.unreadable)` naming the place.
    public func readPEM(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let path: String
        switch self {
        case .file(let file):
            path = file
        case .credential(let name):
            guard let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty else {
                throw KalshiSigningError(.unreadable, source: description,
                                         "$CREDENTIALS_DIRECTORY is not set: run under systemd with LoadCredential=\(name):PATH, or use private_key_file")
            }
            path = dir + "/" + name
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KalshiSigningError(.unreadable, source: description, "cannot read \(path) (missing, or not readable by this user)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
