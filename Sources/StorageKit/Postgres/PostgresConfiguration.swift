import Foundation

/// Where and how to connect to PostgreSQL.
///
/// `connectionString` is handed to libpq as is (a `key=value` conninfo string or a
/// `postgresql://` URI), so everything libpq documents works: `PG*` environment variables for
/// whatever the string leaves out, `.pgpass`/`passfile`, multi-host
/// `host=a,b target_session_attrs=read-write`, TLS settings. An empty string means "all from the
/// environment".
///
/// The password, when it comes from a credentials file (systemd `LoadCredential=`), is passed to
/// libpq as its own keyword, never spliced into the string, and no description, log line or error
/// ever shows it.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// A libpq conninfo string or URI.
    public var connectionString: String
    /// A password that overrides any other source; `nil` lets libpq find one (`PGPASSWORD`, `.pgpass`).
    public var password: String?
    /// `application_name` shown in `pg_stat_activity` unless the connection string sets one.
    public var applicationName: String
    /// How long one connection attempt may take (libpq `connect_timeout`, whole seconds, at least 2)
    /// unless the connection string sets one.
    public var connectTimeout: Duration
    /// How lost connections are retried.
    public var reconnect: ReconnectPolicy

    /// Exponential backoff with jitter between attempts to re-run an operation after a connection
    /// loss, bounded by an overall budget.
    public struct ReconnectPolicy: Sendable, Equatable {
        /// Delay before the first retry.
        public var initialDelay: Duration
        /// The delay doubles per attempt up to this.
        public var maxDelay: Duration
        /// Total time after the first failure during which retries are attempted; after it the
        /// last error is reported.
        public var budget: Duration

        public init(initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5), budget: Duration = .seconds(60)) {
            self.initialDelay = initialDelay
            self.maxDelay = maxDelay
            self.budget = budget
        }
    }

    public init(
        connectionString: String = "",
        password: String? = nil,
        applicationName: String = "recio",
        connectTimeout: Duration = .seconds(10),
        reconnect: ReconnectPolicy = ReconnectPolicy()
    ) {
        self.connectionString = connectionString
        self.password = password
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.reconnect = reconnect
    }

    /// Reads a password from a credentials file (one line; a trailing newline is dropped).
    public static func password(fromFile path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PostgresError(.invalidConfiguration, message: "cannot read the PostgreSQL password file \(path): \(error.localizedDescription)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
        return text
    }

    /// The libpq keyword/value pairs for `PQconnectdbParams(..., expand_dbname: 1)`. Order matters:
    /// values before `dbname` are defaults the connection string overrides; values after it win.
    var libpqParameters: [(String, String)] {
        let seconds = max(2, Int(connectTimeout.components.seconds))
        var pairs: [(String, String)] = [
            ("fallback_application_name", applicationName),
            ("connect_timeout", String(seconds)),
            ("client_encoding", "UTF8"),
            ("dbname", connectionString),
        ]
        if let password { pairs.append(("password", password)) }
        return pairs
    }

    /// The secrets a message must never show: the separate password and any password inside the
    /// connection string.
    var secrets: [String] {
        var values: [String] = []
        if let password, !password.isEmpty { values.append(password) }
        for match in connectionString.matches(of: Self.conninfoPassword) {
            var value = String(match.output.1)
            if value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\'", with: "'")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            if !value.isEmpty { values.append(value) }
        }
        for match in connectionString.matches(of: Self.uriUserInfoPassword) {
            let value = String(match.output.1)
            if !value.isEmpty {
                values.append(value)
                if let decoded = value.removingPercentEncoding, decoded != value { values.append(decoded) }
            }
        }
        for match in connectionString.matches(of: Self.uriQueryPassword) {
            let value = String(match.output.1)
            if !value.isEmpty {
                values.append(value)
                if let decoded = value.removingPercentEncoding, decoded != value { values.append(decoded) }
            }
        }
        return values.sorted { $0.count > $1.count }
    }

    /// Replaces every secret in `text` with `***`.
    func redacting(_ text: String) -> String {
        var result = text
        for secret in secrets { result = result.replacingOccurrences(of: secret, with: "***") }
        return result
    }

    /// `password = value` or `password='quoted value'` in a conninfo string.
    static var conninfoPassword: Regex<(Substring, Substring)> { #/password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]+)/# }
    /// `postgresql://user:secret@host` in a URI.
    static var uriUserInfoPassword: Regex<(Substring, Substring)> { #/^postgres(?:ql)?://[^:@/?]*:([^@/?]*)@/# }
    /// `?password=secret` or `&password=secret` in a URI.
    static var uriQueryPassword: Regex<(Substring, Substring)> { #/[?&]password=([^&]*)/# }

    /// The connection string with every password replaced by `***`.
    public var redactedConnectionString: String {
        var text = connectionString
        text = text.replacing(Self.conninfoPassword) { _ in "password=***" }
        text = text.replacing(Self.uriUserInfoPassword) { match in
            String(match.output.0.dropLast(match.output.1.count + 1)) + "***@"
        }
        text = text.replacing(Self.uriQueryPassword) { match in
            String(match.output.0.prefix(1)) + "password=***"
        }
        return redacting(text)
    }

    public var description: String {
        let target = connectionString.isEmpty ? "(from PG* environment)" : redactedConnectionString
        return "PostgresConfiguration(\(target), password: \(password == nil ? "not set" : "***"), "
            + "application_name: \(applicationName), connect_timeout: \(connectTimeout), reconnect: "
            + "\(reconnect.initialDelay)…\(reconnect.maxDelay) within \(reconnect.budget))"
    }
}
