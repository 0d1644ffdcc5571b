/// The result of a query in PostgreSQL's text format: column names, then each row's values as
/// text (`nil` is SQL NULL). Numbers and timestamps stay exact text (`"64123.45"`,
/// `"2026-05-01 00:00:00+00"`); the record mappings decode them.
public struct PostgresRows: Sendable, Equatable {
    /// Column names, in select-list order.
    public var columns: [String]
    /// The rows, each with one value per column.
    public var rows: [[String?]]
    /// Rows affected by an `INSERT`/`UPDATE`/`DELETE`/`COPY` (from the command tag), else 0.
    public var affectedRows: Int

    public init(columns: [String], rows: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// Number of rows returned.
    public var count: Int { rows.count }
    /// Whether no row was returned.
    public var isEmpty: Bool { rows.isEmpty }
    /// The first row's first value, handy for `SELECT count(*)`-style queries.
    public var scalar: String? { rows.first?.first ?? nil }
}
