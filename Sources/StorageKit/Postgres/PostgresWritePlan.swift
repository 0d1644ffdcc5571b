/// The SQL a `PostgresWriter` runs for one record type, worked out once from its mapping, and the
/// write strategy. All statements name only validated, quoted identifiers; values always travel
/// as COPY data or bound parameters.
struct PostgresWritePlan<Record: StorableRecord>: Sendable {
    let mapping: PostgresMapping<Record>
    let schema: PostgresIdentifier
    let table: PostgresIdentifier
    let qualifiedTable: String
    let copySQL: String
    let createStagingSQL: String
    let stagingCopySQL: String
    let mergeSQL: String
    let clearStagingSQL: String
    let deleteAllSQL: String
    private let columnList: String
    private let conflictClause: String

    /// Batches smaller than this go in one multi-row `INSERT ... ON CONFLICT` (one round trip);
    /// larger ones through COPY.
    static var smallBatchLimit: Int { 64 }

    init(mapping: PostgresMapping<Record>, schema: PostgresIdentifier) throws {
        self.mapping = mapping
        self.schema = schema
        let table = try PostgresIdentifier(mapping.table)
        self.table = table
        let columns = try mapping.columns.map(PostgresIdentifier.init)
        let keys = try mapping.conflictColumns.map(PostgresIdentifier.init)
        guard !columns.isEmpty, !keys.isEmpty, Set(keys).isSubset(of: Set(columns)) else {
            throw StorageError(.unsupportedRecord, subject: Record.dataset,
                               "the PostgreSQL mapping needs columns and conflict columns among them")
        }
        qualifiedTable = PostgresIdentifier.qualified(schema, table)
        columnList = columns.map(\.quoted).joined(separator: ", ")
        let keyList = keys.map(\.quoted).joined(separator: ", ")
        let nonKeys = columns.filter { !keys.contains($0) }
        switch mapping.onConflict {
        case .doNothing:
            conflictClause = "ON CONFLICT (\(keyList)) DO NOTHING"
        case .updateAll where nonKeys.isEmpty:
            conflictClause = "ON CONFLICT (\(keyList)) DO NOTHING"
        case .updateAll:
            let sets = nonKeys.map { "\($0.quoted) = EXCLUDED.\($0.quoted)" }.joined(separator: ", ")
            conflictClause = "ON CONFLICT (\(keyList)) DO UPDATE SET \(sets)"
        }
        // Session-private staging table, emptied at every commit; one per target table name.
        let staging = PostgresIdentifier.quotedTruncated("recio_stage_\(table.name)")
        copySQL = "COPY \(qualifiedTable) (\(columnList)) FROM STDIN"
        createStagingSQL = "CREATE TEMP TABLE IF NOT EXISTS \(staging) (LIKE \(qualifiedTable) INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        stagingCopySQL = "COPY pg_temp.\(staging) (\(columnList)) FROM STDIN"
        mergeSQL = "INSERT INTO \(qualifiedTable) (\(columnList)) SELECT \(columnList) FROM pg_temp.\(staging) \(conflictClause)"
        clearStagingSQL = "TRUNCATE pg_temp.\(staging)"
        deleteAllSQL = "DELETE FROM \(qualifiedTable)"
    }

    /// `INSERT INTO t (cols) VALUES ($1, $2), ($3, $4) ON CONFLICT ...` for `rows` rows.
    func insertSQL(rows: Int) -> String {
        let width = mapping.columns.count
        var sql = "INSERT INTO \(qualifiedTable) (\(columnList)) VALUES "
        for r in 0..<rows {
            if r > 0 { sql += ", " }
            sql += "("
            for c in 0..<width {
                if c > 0 { sql += ", " }
                sql += "$\(r * width + c + 1)"
            }
            sql += ")"
        }
        return sql + " " + conflictClause
    }

    /// Writes one batch atomically and idempotently on `conn` (not inside a transaction).
    ///
    /// - Small batch: one multi-row `INSERT ... ON CONFLICT` statement.
    /// - `.doNothing`: COPY straight into the table in a transaction (the fast path); if some key
    ///   is already stored (23505, e.g. a replay after a lost COMMIT acknowledgement) that
    ///   transaction rolls back and the batch goes through the merge path.
    /// - Merge path (always for `.updateAll`): COPY into the staging table, then
    ///   `INSERT ... SELECT ... ON CONFLICT`, in one transaction.
    ///
    /// COPY rows are encoded straight into the send buffer (`PostgresMapping.appendCopyRow`).
    /// Returns the rows the server stored (inserted, or for `.updateAll` also updated).
    @discardableResult
    func write(_ records: [Record], on conn: isolated PostgresConnection) throws -> Int {
        guard !records.isEmpty else { return 0 }
        if records.count < Self.smallBatchLimit {
            return try conn.execute(insertSQL(rows: records.count), records.flatMap(mapping.encode))
        }
        if mapping.onConflict == .doNothing {
            do {
                return try conn.transaction { conn in
                    try copy(records, copySQL, on: conn)
                }
            } catch let error as PostgresError where error.sqlState == "23505" {
                // Part of the batch is already stored: fall through to the idempotent path.
            }
        }
        return try conn.transaction { conn in
            try conn.executeScript(createStagingSQL)
            _ = try copy(records, stagingCopySQL, on: conn)
            return try conn.execute(mergeSQL)
        }
    }

    private func copy(_ records: [Record], _ sql: String, on conn: isolated PostgresConnection) throws -> Int {
        var next = 0
        return try conn.copyIn(sql) { encoder in
            guard next < records.count else { return false }
            try mapping.appendCopyRow(records[next], to: &encoder)
            next += 1
            return true
        }
    }

    /// Writes one encoded batch idempotently on `conn` inside a transaction the caller opened
    /// (`PostgresAtomicBatch`). Same strategies as `write`, with the COPY fast path guarded by a
    /// savepoint so that a key already stored (23505) falls back to the merge path without
    /// aborting the caller's transaction.
    /// COPY rows are encoded straight into the send buffer, as in `write`.
    func writeInTransaction(_ rows: [Record], on conn: isolated PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        if rows.count < Self.smallBatchLimit {
            try conn.execute(insertSQL(rows: rows.count), rows.flatMap(mapping.encode))
            return
        }
        if mapping.onConflict == .doNothing {
            try conn.executeScript("SAVEPOINT recio_copy_fast")
            do {
                _ = try copy(rows, copySQL, on: conn)
                try conn.executeScript("RELEASE SAVEPOINT recio_copy_fast")
                return
            } catch let error as PostgresError where error.sqlState == "23505" {
                try conn.executeScript("ROLLBACK TO SAVEPOINT recio_copy_fast; RELEASE SAVEPOINT recio_copy_fast")
            }
        }
        try conn.executeScript(createStagingSQL)
        _ = try copy(rows, stagingCopySQL, on: conn)
        try conn.execute(mergeSQL)
        // The staging table empties at COMMIT; a second batch of this type in the same transaction must not merge these rows again.
        try conn.executeScript(clearStagingSQL)
    }
}
