/// The SQL a `PostgresWriter` runs for one record type, worked out once from its mapping, and the
/// write strategy. All statements name only validated, quoted identifiers; values always travel
/// as COPY data or bound parameters.
struct PostgresWritePlan<Record: StorableRecord>: Sendable {
    let mapping: PostgresMapping<Record>
    let schema: PostgresIdentifier
    let table: PostgresIdentifier
    let qualifiedTable: String
    /// COPY of text rows (`[String?]`, `PostgresAtomicBatch`) into the table and into the staging table.
    let copySQL: String
    let createStagingSQL: String
    let stagingCopySQL: String
    /// The same COPYs for records, in the mapping's `copyFormat`.
    let recordCopySQL: String
    let recordStagingCopySQL: String
    let mergeSQL: String
    /// `SELECT 1 FROM t WHERE key BETWEEN $1 AND $2 LIMIT 1` (one index probe), when the natural
    /// key is one column: whether any key of a batch's range is stored already.
    let probeSQL: String?
    /// Where the natural key's column is among `encode`'s values.
    private let keyIndex: Int?
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
        let formatOption = mapping.copyFormat == .binary ? " WITH (FORMAT binary)" : ""
        recordCopySQL = copySQL + formatOption
        recordStagingCopySQL = stagingCopySQL + formatOption
        if keys.count == 1, let index = columns.firstIndex(of: keys[0]) {
            keyIndex = index
            probeSQL = "SELECT 1 FROM \(qualifiedTable) WHERE \(keys[0].quoted) BETWEEN $1 AND $2 LIMIT 1"
        } else {
            keyIndex = nil
            probeSQL = nil
        }
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
    /// - `.doNothing`: COPY straight into the table in a transaction (the fast path), unless one
    ///   index probe finds a key of the batch's range stored already (a replay after a lost COMMIT
    ///   acknowledgement, a backfill re-run): then the merge path, without sending the rows twice.
    ///   The probe is only a shortcut: if a key is stored anyway when the COPY runs (a concurrent
    ///   writer committed it after the probe), the COPY fails with 23505, its transaction rolls
    ///   back and the batch goes through the merge path, so idempotency never rests on the probe.
    /// - Merge path (always for `.updateAll`): COPY into the staging table, then
    ///   `INSERT ... SELECT ... ON CONFLICT`, in one transaction.
    ///
    /// COPY rows are encoded straight into the send buffer (`PostgresMapping.appendCopyRow`), in
    /// binary when the mapping's `copyFormat` says so.
    /// Returns the rows the server stored (inserted, or for `.updateAll` also updated).
    @discardableResult
    func write(_ records: [Record], on conn: isolated PostgresConnection) throws -> Int {
        guard !records.isEmpty else { return 0 }
        if records.count < Self.smallBatchLimit {
            return try conn.execute(insertSQL(rows: records.count), records.flatMap(mapping.encode))
        }
        if mapping.onConflict == .doNothing {
            let range = keyRange(records)
            do {
                let stored: Int? = try conn.transaction { conn in
                    if let range, let probeSQL, try !conn.query(probeSQL, [range.low, range.high]).rows.isEmpty {
                        return nil  // part of the range is stored: the merge path
                    }
                    return try copy(records, recordCopySQL, on: conn)
                }
                if let stored { return stored }
            } catch let error as PostgresError where error.sqlState == "23505" {
                // Part of the batch is already stored: fall through to the idempotent path.
            }
        }
        return try conn.transaction { conn in
            try conn.executeScript(createStagingSQL)
            _ = try copy(records, recordStagingCopySQL, on: conn)
            return try conn.execute(mergeSQL)
        }
    }

    /// The text of the lowest and highest natural key of `records`, for the probe: only for a
    /// one-column key whose records have integer keys (ordered like the column, as a tick's second
    /// is like its `ts`). A wrong answer would only cost time, never a row: see `write`.
    private func keyRange(_ records: [Record]) -> (low: String?, high: String?)? {
        guard let keyIndex, let first = records.first, var lowKey = first.integerKey else { return nil }
        var low = first, high = first, highKey = lowKey
        for record in records.dropFirst() {
            guard let key = record.integerKey else { return nil }
            if key < lowKey { low = record; lowKey = key }
            if key > highKey { high = record; highKey = key }
        }
        return (mapping.encode(low)[keyIndex], mapping.encode(high)[keyIndex])
    }

    private func copy(_ records: [Record], _ sql: String, on conn: isolated PostgresConnection) throws -> Int {
        var next = 0
        return try conn.copyIn(sql, format: mapping.copyFormat) { encoder in
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
