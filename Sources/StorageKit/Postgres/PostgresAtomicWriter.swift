import Logging

/// Commits `PostgresAtomicBatch`es: each one transaction on its own connection, retried on a new
/// connection after a connection loss (safe: every step is idempotent by natural key, and a
/// snapshot replacement is a replacement). Returns only after `COMMIT` succeeded.
public final class PostgresAtomicWriter: Sendable {
    public let connection: PostgresConnection
    public let schema: PostgresIdentifier
    private let logger: Logger

    public init(connection: PostgresConnection, schema: PostgresIdentifier, logger: Logger) {
        self.connection = connection
        self.schema = schema
        self.logger = logger
    }

    /// Writes every step of `batch` in one transaction. Throws `StorageError(.unavailable)` when
    /// the connection's retry budget runs out, or the `PostgresError` of a permanent failure.
    public func commit(_ batch: PostgresAtomicBatch) async throws {
        guard !batch.isEmpty else { return }
        let steps = batch.steps
        let schema = self.schema
        let what = batch.datasets.joined(separator: "+")
        do {
            try await connection.withReconnect("write \(what)") { conn in
                try conn.transaction { conn in
                    for step in steps { try step(conn, schema) }
                }
            }
        } catch let error as PostgresError where error.isTransient {
            throw StorageError(.unavailable, subject: "postgres \(schema.name) \(what)", "the batch was not stored, retries ran out: \(error)")
        }
    }

    public func close() async { await connection.close() }
}
