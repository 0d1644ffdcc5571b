/// A failure reported by PostgreSQL or by libpq: what was attempted, the server's SQLSTATE and
/// message (primary, detail, hint) when there is one, and the SQL statement (never its parameter
/// values, which may be personal or secret).
///
/// `isConnectionLoss` and `isTransient` tell a caller whether retrying on a fresh connection can help.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes are new static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No connection could be established (server down, refused, authentication failed).
        public static let connectionFailed = Code("connection_failed")
        /// An established connection broke (server restart, network, admin shutdown).
        public static let connectionLost = Code("connection_lost")
        /// The server rejected a statement.
        public static let queryFailed = Code("query_failed")
        /// A `COPY ... FROM STDIN` failed (server error or a row that cannot be sent).
        public static let copyFailed = Code("copy_failed")
        /// The server or libpq answered something this client did not expect.
        public static let protocolViolation = Code("protocol_violation")
        /// The connection settings are unusable (unparsable conninfo, bad identifier).
        public static let invalidConfiguration = Code("invalid_configuration")
        /// A call that is not valid in the connection's state (nested transaction, use after close).
        public static let invalidState = Code("invalid_state")
    }

    public var code: Code
    /// The five-character SQLSTATE (`23505`), when the server sent one.
    public var sqlState: String?
    /// The primary message (the server's, or libpq's when no server message exists).
    public var message: String
    /// The server's `DETAIL`, if any.
    public var detail: String?
    /// The server's `HINT`, if any.
    public var hint: String?
    /// The SQL text that failed (no parameter values).
    public var statement: String?
    /// Whether libpq reported the connection as `CONNECTION_BAD` right after the failure.
    public var connectionBad: Bool

    public init(
        _ code: Code,
        message: String,
        sqlState: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        statement: String? = nil,
        connectionBad: Bool = false
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.statement = statement
        self.connectionBad = connectionBad
    }

    /// Whether the connection is gone: retrying needs a new connection (which `PostgresConnection`
    /// makes on its next call). Class 08 (connection exception), 57P01/57P02/57P03 (admin or crash
    /// shutdown, cannot connect now), or libpq's `CONNECTION_BAD`.
    public var isConnectionLoss: Bool {
        if code == .connectionFailed || code == .connectionLost || connectionBad { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    /// Whether the same idempotent operation may succeed if retried: a connection loss, a
    /// serialization failure (40001) or a deadlock (40P01) — not a refused login (a missing or
    /// wrong password, an unknown role or database, no pg_hba.conf entry), which no retry mends.
    public var isTransient: Bool {
        guard !isAuthenticationFailure else { return false }
        return isConnectionLoss || sqlState == "40001" || sqlState == "40P01"
    }

    /// The server (or libpq) refused the login itself: 28xxx (invalid authorization), 3D000
    /// (no such database), or libpq's connect-time messages for them, which carry no SQLSTATE.
    public var isAuthenticationFailure: Bool {
        if let state = sqlState { return state.hasPrefix("28") || state == "3D000" }
        guard code == .connectionFailed else { return false }
        let m = message
        return m.contains("password authentication failed") || m.contains("no password supplied") || m.contains("no pg_hba.conf entry")
            || ((m.contains("role \"") || m.contains("database \"")) && m.contains("does not exist"))
    }

    /// The longest statement text a description quotes; a batch `INSERT` can be long.
    static let statementExcerptLength = 400

    public var description: String {
        var text = "PostgreSQL \(code)"
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        text += ": \(message)"
        if let detail, !detail.isEmpty { text += " — detail: \(detail)" }
        if let hint, !hint.isEmpty { text += " — hint: \(hint)" }
        if let statement {
            let oneLine = statement.split(whereSeparator: \.isNewline).joined(separator: " ")
            let excerpt = oneLine.count > Self.statementExcerptLength
                ? String(oneLine.prefix(Self.statementExcerptLength)) + "…" : oneLine
            text += " — statement: \(excerpt)"
        }
        if code == .connectionFailed {
            text += " (no connection: check that the server is up and the connection settings)"
        } else if isConnectionLoss {
            text += " (connection lost; the next call reconnects)"
        }
        return text
    }
}
