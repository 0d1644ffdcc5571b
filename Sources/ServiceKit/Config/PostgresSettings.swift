import Foundation
import StorageKit

/// Where PostgreSQL is and which user schema the daemons write. The password is never in
/// `services.json`: it comes from a file named here (for systemd `LoadCredential=`), a credential
/// name looked up in `$CREDENTIALS_DIRECTORY`, or libpq's own sources (`PGPASSWORD`, `.pgpass`).
public struct PostgresSettings: Sendable, Equatable {
    /// A libpq conninfo string or URI; empty means "libpq defaults and the PG* variables".
    public var conninfo: String
    /// The user schema all tables live in (`user_0001`).
    public var schema: String
    /// An absolute path to a file holding the password.
    public var passwordFile: String?
    /// A systemd credential name (`LoadCredential=NAME:...`), read from `$CREDENTIALS_DIRECTORY/NAME`.
    public var passwordCredential: String?
    /// Seconds libpq waits for a connection.
    public var connectTimeoutSeconds: Int

    public init(conninfo: String = "", schema: String = "user_0001", passwordFile: String? = nil,
                passwordCredential: String? = nil, connectTimeoutSeconds: Int = 10) {
        self.conninfo = conninfo
        self.schema = schema
        self.passwordFile = passwordFile
        self.passwordCredential = passwordCredential
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    static func parse(_ node: ConfigNode) throws -> PostgresSettings {
        var s = PostgresSettings()
        s.conninfo = try node.optional("conninfo")?.string() ?? ""
        if s.conninfo.range(of: "password", options: .caseInsensitive) != nil {
            throw try node.required("conninfo").error(.invalidValue,
                "must not contain a password; use \"password_file\" or \"password_credential\" (systemd LoadCredential=) instead")
        }
        let schemaNode = try node.required("schema")
        s.schema = try schemaNode.string()
        guard PostgresSettings.isPlainIdentifier(s.schema) else {
            throw schemaNode.error(.invalidValue, "expected a lower-case SQL identifier like \"user_0001\", found \"\(s.schema)\"")
        }
        s.passwordFile = try node.optional("password_file")?.absolutePath()
        if let credential = try node.optional("password_credential") {
            let name = try credential.nonEmptyString()
            guard !name.contains("/") else { throw credential.error(.invalidValue, "a credential name, not a path: \"\(name)\"") }
            s.passwordCredential = name
        }
        if s.passwordFile != nil, s.passwordCredential != nil {
            throw node.error(.invalidValue, "set only one of \"password_file\" and \"password_credential\"")
        }
        s.connectTimeoutSeconds = Int(try node.optional("connect_timeout_seconds")?.integer(in: 1...300) ?? 10)
        try node.finish()
        return s
    }

    /// `^[a-z_][a-z0-9_]{0,62}$`: safe to quote into DDL.
    public static func isPlainIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 63, first == UInt8(ascii: "_") || (first >= 97 && first <= 122) else { return false }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
    }

    /// Reads the password from the configured file or credential, if any; `nil` lets libpq find it.
    /// The value is returned to the caller only to hand to libpq; it is never logged.
    public func resolvePassword(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        let path: String
        if let file = passwordFile {
            path = file
        } else if let name = passwordCredential {
            // Outside systemd (a shell, `--check-config`) there is no credentials folder: libpq's own
            // sources (PGPASSWORD, .pgpass) decide, and a wrong guess shows as a connection error.
            guard let dir = environment["CREDENTIALS_DIRECTORY"] else { return nil }
            path = dir + "/" + name
        } else {
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StorageError(.io, subject: "postgres password", "cannot read the password file \(path)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        // An empty credential (systemd's SetCredential= fallback) means "no password": libpq decides.
        return text.isEmpty ? nil : text
    }
}
