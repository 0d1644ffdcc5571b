import CLibPQ
import Foundation
import Logging

/// One PostgreSQL connection over libpq.
///
/// It is an actor whose executor is a private serial `BlockingExecutor`: every libpq call (they
/// all block on the network) runs on that executor's thread, never on Swift's cooperative pool.
/// Only parameterized statements are offered (`PQexecParams`, text format), so no SQL is ever built
/// from values; bulk loads go through `COPY ... FROM STDIN`.
///
/// The connection is opened on first use (or by `connect()`). When a call finds it broken it is
/// dropped and the next call opens a new one; `withReconnect` re-runs an idempotent operation with
/// exponential backoff until it succeeds or the configured budget runs out. Each session runs with
/// `TimeZone=UTC`, so `timestamptz` values come back as `YYYY-MM-DD HH:MM:SS+00`.
public actor PostgresConnection {
    /// The settings this connection was made with (its description redacts passwords).
    public nonisolated let configuration: PostgresConfiguration
    private let executor: BlockingExecutor
    private let logger: Logger
    private var handle: PostgresConnectionHandle?
    private var closed = false

    /// The default size of one `PQputCopyData` write (1 MiB).
    public static let defaultCopyChunkSize = 1 << 20

    /// Runs all of this actor's work on its own serial queue, off the cooperative pool.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Creates the connection object; nothing is opened until `connect()` or the first call.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.executor = BlockingExecutor(label: "recio.postgres.connection")
        var logger = logger
        logger[metadataKey: "postgres.application"] = .string(configuration.applicationName)
        self.logger = logger
    }

    /// Whether a connection is currently open and healthy as far as libpq knows.
    public var isConnected: Bool { handle?.isOK ?? false }

    /// Opens the connection if it is not open. Throws `PostgresError(.connectionFailed)`.
    public func connect() throws {
        guard !closed else {
            throw PostgresError(.invalidState, message: "the connection was closed")
        }
        if let handle, handle.isOK { return }
        handle = nil

        let pairs = configuration.libpqParameters
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        var keywords: [UnsafePointer<CChar>?] = []
        var values: [UnsafePointer<CChar>?] = []
        for (key, value) in pairs {
            guard let k = strdup(key), let v = strdup(value) else {
                throw PostgresError(.connectionFailed, message: "out of memory preparing connection parameters")
            }
            owned.append(k)
            owned.append(v)
            keywords.append(UnsafePointer(k))
            values.append(UnsafePointer(v))
        }
        keywords.append(nil)
        values.append(nil)

        guard let raw = PQconnectdbParams(keywords, values, 1) else {
            throw PostgresError(.connectionFailed, message: "libpq could not allocate a connection")
        }
        let fresh = PostgresConnectionHandle(raw, logger: logger)
        guard fresh.isOK else {
            let message = configuration.redacting(fresh.errorMessage)
            logger.debug("PostgreSQL connection attempt failed", metadata: ["postgres.error": .string(message)])
            throw PostgresError(.connectionFailed, message: message, connectionBad: true)
        }
        handle = fresh
        do {
            _ = try exec("SET TimeZone TO 'UTC'", [], code: .connectionFailed) { _ in () }
        } catch {
            handle = nil
            throw error
        }
        logger.debug("PostgreSQL connected", metadata: [
            "postgres.host": .string(PQhost(raw).map { String(cString: $0) } ?? ""),
            "postgres.port": .string(PQport(raw).map { String(cString: $0) } ?? ""),
            "postgres.database": .string(PQdb(raw).map { String(cString: $0) } ?? ""),
            "postgres.server_version": .stringConvertible(PQserverVersion(raw)),
        ])
    }

    /// Closes the connection; later calls throw `PostgresError(.invalidState)`. Idempotent.
    public func close() {
        closed = true
        handle = nil
    }

    /// Runs one parameterized statement and returns its rows. `$1`, `$2`... in `sql` take the
    /// `parameters` in order, as text (`nil` is NULL); PostgreSQL infers their types or takes
    /// explicit casts (`$1::timestamptz`).
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        try exec(sql, parameters, code: .queryFailed) { result in
            let columnCount = Int(PQnfields(result))
            let rowCount = Int(PQntuples(result))
            var columns: [String] = []
            columns.reserveCapacity(columnCount)
            for c in 0..<columnCount {
                columns.append(PQfname(result, Int32(c)).map { String(cString: $0) } ?? "")
            }
            var rows: [[String?]] = []
            rows.reserveCapacity(rowCount)
            for r in 0..<rowCount {
                var row: [String?] = []
                row.reserveCapacity(columnCount)
                for c in 0..<columnCount {
                    if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                        row.append(nil)
                    } else {
                        row.append(PQgetvalue(result, Int32(r), Int32(c)).map { String(cString: $0) } ?? "")
                    }
                }
                rows.append(row)
            }
            return PostgresRows(columns: columns, rows: rows, affectedRows: Self.affectedRows(result))
        }
    }

    /// Runs one parameterized statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> Int {
        try exec(sql, parameters, code: .queryFailed) { Self.affectedRows($0) }
    }

    /// Runs `body` inside `BEGIN` ... `COMMIT`; any error thrown by `body` (or by `COMMIT`) rolls
    /// the transaction back and is rethrown. `body` runs on this connection's executor and may call
    /// its methods synchronously. Transactions do not nest.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @Sendable (isolated PostgresConnection) throws -> T) throws -> T {
        try connect()
        if let handle, PQtransactionStatus(handle.pointer) != PQTRANS_IDLE {
            throw PostgresError(.invalidState, message: "transaction() called inside a transaction", statement: "BEGIN")
        }
        try simple("BEGIN")
        let value: T
        do {
            value = try body(self)
            // COMMIT of a transaction in which a statement failed answers ROLLBACK without an error.
            let tag = try simple("COMMIT")
            guard tag == "COMMIT" else {
                throw PostgresError(.queryFailed, message: "the transaction was rolled back by the server (\(tag)): a statement inside it failed",
                                    statement: "COMMIT")
            }
        } catch {
            rollbackQuietly()
            throw error
        }
        return value
    }

    /// Bulk-loads rows with `COPY table (columns) FROM STDIN` (text format), streaming them in
    /// writes of about `chunkSize` bytes. Returns the number of rows the server stored. Atomic like
    /// any statement: on error nothing of this COPY remains.
    @discardableResult
    public func copyIn<Rows: Sequence>(
        _ sql: String,
        rows: Rows,
        chunkSize: Int = PostgresConnection.defaultCopyChunkSize
    ) throws -> Int where Rows.Element == [String?] {
        var iterator = rows.makeIterator()
        return try copyIn(sql, chunkSize: chunkSize) { encoder in
            guard let row = iterator.next() else { return false }
            try encoder.append(row)
            return true
        }
    }

    /// The COPY loop itself: `nextRow` appends one row to the encoder and returns `true`, or returns
    /// `false` when there are no more rows. `format` must be the one `sql` names (`FORMAT binary`). The buffer is sent whenever it holds `chunkSize` bytes, so
    /// encoding the next chunk overlaps with the server parsing the previous one. A row `nextRow`
    /// cannot encode aborts the COPY (nothing is stored) and its error is thrown.
    @discardableResult
    func copyIn(
        _ sql: String,
        format: PostgresCopyEncoder.Format = .text,
        chunkSize: Int = PostgresConnection.defaultCopyChunkSize,
        nextRow: (inout PostgresCopyEncoder) throws -> Bool
    ) throws -> Int {
        let conn = try connectedPointer()
        do {
            guard let start = PQexec(conn, sql) else { throw connectionError(sql, code: .copyFailed) }
            defer { PQclear(start) }
            guard PQresultStatus(start) == PGRES_COPY_IN else {
                if PQresultStatus(start) == PGRES_FATAL_ERROR { throw resultError(start, sql, code: .copyFailed) }
                throw PostgresError(.protocolViolation, message: "the statement did not start COPY FROM STDIN", statement: sql)
            }
        }

        var encoder = PostgresCopyEncoder(capacity: chunkSize + 64 * 1024, format: format)
        encoder.beginStream()
        var clientFailure: PostgresError?
        while true {
            do {
                guard try nextRow(&encoder) else { break }
            } catch let error as PostgresError {
                clientFailure = PostgresError(error.code, message: error.message, statement: sql)
                break
            } catch {
                clientFailure = PostgresError(.copyFailed, message: "a row could not be encoded: \(error)", statement: sql)
                break
            }
            if encoder.count >= chunkSize {
                try putCopyData(conn, encoder.bytes, sql)
                encoder.reset()
            }
        }
        if clientFailure == nil {
            encoder.endStream()
        }
        if clientFailure == nil, encoder.count > 0 {
            try putCopyData(conn, encoder.bytes, sql)
        }
        guard PQputCopyEnd(conn, clientFailure == nil ? nil : "COPY aborted by the client") == 1 else {
            throw connectionError(sql, code: .copyFailed)
        }
        var outcome: Result<Int, PostgresError>?
        while let result = PQgetResult(conn) {
            defer { PQclear(result) }
            guard outcome == nil else { continue }
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                outcome = .success(Self.affectedRows(result))
            } else {
                outcome = .failure(resultError(result, sql, code: .copyFailed))
            }
        }
        if let clientFailure { throw clientFailure }
        switch outcome {
        case .success(let count): return count
        case .failure(let error): throw error
        case nil: throw connectionError(sql, code: .copyFailed)
        }
    }

    /// Runs `operation` (which must be idempotent: it may run more than once) and, when it fails
    /// with a transient error (connection loss, serialization failure, deadlock), drops a broken
    /// connection and retries on a fresh one with exponential backoff and jitter, until it
    /// succeeds or the configured retry budget runs out (then the last error is thrown). Each
    /// attempt runs as one uninterrupted turn of this actor. Cancellation stops the waiting.
    public func withReconnect<T: Sendable>(
        _ what: String = "operation",
        _ operation: @Sendable (isolated PostgresConnection) throws -> T
    ) async throws -> T {
        let policy = configuration.reconnect
        let clock = ContinuousClock()
        var delay = policy.initialDelay
        var attempt = 1
        var deadline: ContinuousClock.Instant?
        while true {
            do {
                try connect()
                let value = try operation(self)
                if attempt > 1 {
                    logger.info("PostgreSQL \(what) succeeded after reconnecting", metadata: ["postgres.attempts": .stringConvertible(attempt)])
                }
                return value
            } catch let error as PostgresError where error.isTransient && !closed {
                if error.isConnectionLoss { handle = nil }
                let now = clock.now
                let end = deadline ?? now.advanced(by: policy.budget)
                deadline = end
                guard now < end else {
                    logger.error("PostgreSQL \(what) failed; retry budget exhausted", metadata: [
                        "postgres.attempts": .stringConvertible(attempt),
                        "postgres.error": .string(error.description),
                    ])
                    throw error
                }
                let wait = min(Self.jittered(delay), now.duration(to: end))
                logger.warning("PostgreSQL \(what) failed; retrying", metadata: [
                    "postgres.attempt": .stringConvertible(attempt),
                    "postgres.retry_in_ms": .stringConvertible(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000),
                    "postgres.error": .string(error.description),
                ])
                try await Task.sleep(for: wait)
                delay = min(delay * 2, policy.maxDelay)
                attempt += 1
            }
        }
    }

    // MARK: - Internals

    /// Runs a script of one or more statements without parameters (migrations). Not public: all
    /// value-carrying SQL goes through `query`/`execute`.
    func executeScript(_ sql: String) throws {
        let conn = try connectedPointer()
        guard let result = PQexec(conn, sql) else { throw connectionError(sql, code: .queryFailed) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default: throw resultError(result, sql, code: .queryFailed)
        }
    }

    /// A random duration in [delay/2, delay] (equal jitter), so daemons that lost the same server
    /// do not all come back in the same millisecond.
    static func jittered(_ delay: Duration) -> Duration {
        delay / 2 + delay / 2 * Double.random(in: 0...1)
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        guard let tuples = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: tuples)) ?? 0
    }

    private func connectedPointer() throws -> OpaquePointer {
        try connect()
        guard let handle else {
            throw PostgresError(.connectionFailed, message: "no connection after connect()")
        }
        return handle.pointer
    }

    /// Runs a parameterless statement with `PQexec` and returns its command tag.
    @discardableResult
    private func simple(_ sql: String) throws -> String {
        let conn = try connectedPointer()
        guard let result = PQexec(conn, sql) else { throw connectionError(sql, code: .queryFailed) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw resultError(result, sql, code: .queryFailed) }
        return PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }

    private func rollbackQuietly() {
        guard let handle, handle.isOK, PQtransactionStatus(handle.pointer) != PQTRANS_IDLE else { return }
        if let result = PQexec(handle.pointer, "ROLLBACK") { PQclear(result) }
        if !handle.isOK { self.handle = nil }
    }

    /// Runs `sql` with `PQexecParams` (text parameters, text results) and hands the successful
    /// result to `body`; the result is cleared when `body` returns.
    private func exec<T>(_ sql: String, _ parameters: [String?], code: PostgresError.Code, _ body: (OpaquePointer) throws -> T) throws -> T {
        let conn = try connectedPointer()
        let result: OpaquePointer? = try Self.withParameterPointers(parameters, sql) { values in
            PQexecParams(conn, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard let result else { throw connectionError(sql, code: code) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return try body(result)
        default:
            throw resultError(result, sql, code: code)
        }
    }

    /// Lays all parameter values out in one buffer of NUL-terminated strings and passes libpq the
    /// array of pointers into it (`nil` for NULL).
    private static func withParameterPointers<T>(
        _ parameters: [String?],
        _ sql: String,
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> T
    ) throws -> T {
        if parameters.isEmpty { return try body(nil) }
        var storage: [UInt8] = []
        storage.reserveCapacity(parameters.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 1 })
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for (index, parameter) in parameters.enumerated() {
            guard let parameter else {
                offsets.append(nil)
                continue
            }
            guard !parameter.utf8.contains(0) else {
                throw PostgresError(.queryFailed, message: "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot store", statement: sql)
            }
            offsets.append(storage.count)
            storage.append(contentsOf: parameter.utf8)
            storage.append(0)
        }
        return try storage.withUnsafeBytes { raw in
            let base = raw.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset -> UnsafePointer<CChar>? in
                guard let offset, let base else { return nil }
                return UnsafePointer(base + offset)
            }
            return try pointers.withUnsafeBufferPointer { try body($0.baseAddress) }
        }
    }

    private func putCopyData(_ conn: OpaquePointer, _ bytes: [UInt8], _ sql: String) throws {
        let status = bytes.withUnsafeBytes { raw in
            PQputCopyData(conn, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count))
        }
        guard status == 1 else {
            let error = connectionError(sql, code: .copyFailed)
            // A COPY that could not be fed leaves the session in COPY state: never reuse it.
            handle = nil
            throw PostgresError(.connectionLost, message: error.message, statement: sql, connectionBad: true)
        }
    }

    /// The error for a call that produced no result or could not send: usually a lost connection.
    private func connectionError(_ sql: String, code: PostgresError.Code) -> PostgresError {
        let message = handle.map { configuration.redacting($0.errorMessage) } ?? "no connection"
        let bad = !(handle?.isOK ?? false)
        if bad { handle = nil }
        return PostgresError(bad ? .connectionLost : code, message: message, statement: sql, connectionBad: bad)
    }

    /// The error a failed result carries, with the server's diagnostic fields. If libpq now reports
    /// the connection broken, the handle is dropped so that the next call reconnects.
    private func resultError(_ result: OpaquePointer, _ sql: String, code: PostgresError.Code) -> PostgresError {
        func field(_ name: UInt8) -> String? {
            PQresultErrorField(result, Int32(name)).map { String(cString: $0) }
        }
        let bad = !(handle?.isOK ?? false)
        var message = field(DiagnosticField.primary)
            ?? PQresultErrorMessage(result).map { String(cString: $0).trimmingTrailingNewlines() }
            ?? ""
        if message.isEmpty { message = handle?.errorMessage ?? "unknown error" }
        let error = PostgresError(
            bad ? .connectionLost : code,
            message: configuration.redacting(message),
            sqlState: field(DiagnosticField.sqlState),
            detail: field(DiagnosticField.detail).map(configuration.redacting),
            hint: field(DiagnosticField.hint),
            statement: sql,
            connectionBad: bad
        )
        if bad { handle = nil }
        return error
    }

    /// libpq's `PG_DIAG_*` field codes (character macros Swift does not import).
    private enum DiagnosticField {
        static let sqlState = UInt8(ascii: "C")
        static let primary = UInt8(ascii: "M")
        static let detail = UInt8(ascii: "D")
        static let hint = UInt8(ascii: "H")
    }
}
