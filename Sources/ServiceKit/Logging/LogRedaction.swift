import Logging

/// Replaces the values of secret-looking metadata keys with `[redacted]` before they are written.
///
/// This is a safety net for metadata only: a key is secret when its name, lowercased and without
/// separators, contains `password`, `passwd`, `secret`, `privatekey`, `token`, `credential`,
/// `apikey` or `authorization` (so `pg.password`, `kalshi_private_key`, `authToken` all match).
/// Log *messages* are never altered, because a message cannot be parsed reliably: callers must not
/// interpolate secrets (passwords, keys, credential file contents, connection strings with a
/// password) into a `Logger.Message`.
public enum LogRedaction {
    /// What a secret value is replaced with.
    public static let placeholder = "[redacted]"

    static let markers = ["password", "passwd", "secret", "privatekey", "token", "credential", "apikey", "authorization"]

    /// Whether `key` names a secret.
    public static func isSecret(key: String) -> Bool {
        let normalized = String(key.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        return markers.contains { normalized.contains($0) }
    }

    /// `metadata` flattened to `(dotted key, rendered value)` pairs sorted by key: nested
    /// dictionaries become dotted keys (`writer` → `name` is `writer.name`), arrays render as
    /// `[a, b]`, and secret keys at any depth have their value replaced.
    public static func flatten(_ metadata: Logger.Metadata) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        flatten(metadata, prefix: "", into: &result)
        return result.sorted { $0.key < $1.key }
    }

    private static func flatten(_ metadata: Logger.Metadata, prefix: String, into result: inout [(key: String, value: String)]) {
        for (key, value) in metadata {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if isSecret(key: key) {
                result.append((path, placeholder))
            } else if case .dictionary(let nested) = value {
                flatten(nested, prefix: path, into: &result)
            } else {
                result.append((path, render(value)))
            }
        }
    }

    static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let array): return "[" + array.map(render).joined(separator: ", ") + "]"
        case .dictionary(let dictionary):
            let items = dictionary.sorted { $0.key < $1.key }.map { key, value in
                "\(key): \(isSecret(key: key) ? placeholder : render(value))"
            }
            return "[" + items.joined(separator: ", ") + "]"
        }
    }
}
