import Foundation

/// How a record type maps onto a legacy REC.IO v2 SQLite table. The legacy readers still open these
/// files during the dual-write period, so the layout (table, column types, key text format, insert
/// verb) must be exactly what the legacy Python wrote.
public struct SQLiteMapping<Record: Sendable>: Sendable {
    /// Table name (`price_log`).
    public var table: String
    /// The legacy `CREATE TABLE IF NOT EXISTS ...` statement, verbatim.
    public var createSQL: String
    /// The insert statement with `?` placeholders. Legacy tables use `INSERT OR REPLACE`: a later
    /// write of the same key overwrites, which is also what makes a replay idempotent.
    public var insertSQL: String
    /// Turns a validated batch into the bound values of `insertSQL`, handing each row to `emit` in
    /// insert order. It may read the database first (through `SQLiteRowContext`), e.g. to seed a
    /// moving average from the rows already stored, exactly as the legacy code computed it before
    /// each insert; it must not read it while emitting (the writer inserts each row as it comes).
    /// The array handed to `emit` may be reused for the next row: `emit` binds it and lets it go,
    /// so a batch costs no per-row array and no batch-sized list of rows.
    public var forEachRow: @Sendable (_ batch: [Record], _ context: SQLiteRowContext,
                                      _ emit: (_ row: [SQLiteValue]) throws -> Void) throws -> Void
    /// Statement and parameter that trim old rows after each write (legacy 30-day trim), if any.
    public var trim: Trim?
    /// Reads every row back, in key order, as records (for readers, tests and parity).
    public var selectSQL: String
    /// Rebuilds a record from one row of `selectSQL`. Returns `nil` for a row that cannot be a
    /// record (a corrupt legacy row); readers count and report those instead of failing.
    public var decode: @Sendable (SQLiteRowValues) throws -> Record?

    /// Deletes rows older than a cut-off computed from the writer's clock.
    public struct Trim: Sendable {
        /// e.g. `DELETE FROM price_log WHERE timestamp < ?`
        public var sql: String
        /// The parameter for `sql`, given the writer's current time.
        public var parameter: @Sendable (_ now: Date) -> SQLiteValue
        public init(sql: String, parameter: @escaping @Sendable (Date) -> SQLiteValue) {
            self.sql = sql
            self.parameter = parameter
        }
    }

    public init(
        table: String,
        createSQL: String,
        insertSQL: String,
        forEachRow: @escaping @Sendable ([Record], SQLiteRowContext, (_ row: [SQLiteValue]) throws -> Void) throws -> Void,
        trim: Trim? = nil,
        selectSQL: String,
        decode: @escaping @Sendable (SQLiteRowValues) throws -> Record?
    ) {
        self.table = table
        self.createSQL = createSQL
        self.insertSQL = insertSQL
        self.forEachRow = forEachRow
        self.trim = trim
        self.selectSQL = selectSQL
        self.decode = decode
    }

    /// A mapping whose rows are computed as one list (small tables, tests).
    public init(
        table: String,
        createSQL: String,
        insertSQL: String,
        bindRows: @escaping @Sendable ([Record], SQLiteRowContext) throws -> [[SQLiteValue]],
        trim: Trim? = nil,
        selectSQL: String,
        decode: @escaping @Sendable (SQLiteRowValues) throws -> Record?
    ) {
        self.init(table: table, createSQL: createSQL, insertSQL: insertSQL,
                  forEachRow: { batch, context, emit in try bindRows(batch, context).forEach(emit) },
                  trim: trim, selectSQL: selectSQL, decode: decode)
    }

    /// The bound values of every row of `batch`, as one list (tests, benchmark baselines).
    public func bindRows(_ batch: [Record], _ context: SQLiteRowContext) throws -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        rows.reserveCapacity(batch.count)
        try forEachRow(batch, context) { rows.append($0) }
        return rows
    }
}

/// A value bound to, or read from, an SQLite statement.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// The value as a `Double`, if it is numeric.
    public var double: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        default: return nil
        }
    }
    /// The value as text, if it is text.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}

/// One row read from SQLite: the column values in `selectSQL` order.
public typealias SQLiteRowValues = [SQLiteValue]

/// Read access to the database a mapping's `bindRows` runs against, inside the write transaction.
public protocol SQLiteRowContext {
    /// Runs a read-only query with bound parameters and returns all rows.
    func query(_ sql: String, _ parameters: [SQLiteValue]) throws -> [SQLiteRowValues]
}
