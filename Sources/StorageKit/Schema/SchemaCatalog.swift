/// The shape of one per-user PostgreSQL schema as the catalog describes it: its tables with
/// their columns (type, nullability, default), constraints (primary key, unique, check, foreign
/// key), indexes and partitioning. Every definition is written without the schema's own name
/// (`{schema}.` stands for it), so two schemas built by the same migrations compare equal.
///
/// Partitions (`price_history_2026_05`) are not tables of their own here: the set of monthly
/// partitions legitimately differs between databases (retention, months ahead), so a partitioned
/// table is described by its strategy and key (`RANGE (ts)`) and its partition count is kept
/// only as information.
public struct SchemaCatalog: Sendable, Equatable, Codable {
    /// One column.
    public struct Column: Sendable, Equatable, Codable {
        public var name: String
        /// `format_type` of the column (`numeric(14,2)`, `timestamp with time zone`).
        public var type: String
        public var notNull: Bool
        /// The default expression, empty when none.
        public var defaultExpression: String

        public init(name: String, type: String, notNull: Bool, defaultExpression: String = "") {
            self.name = name
            self.type = type
            self.notNull = notNull
            self.defaultExpression = defaultExpression
        }

        /// `numeric(14,2) NOT NULL DEFAULT now()`.
        public var definition: String {
            var text = type + (notNull ? " NOT NULL" : " NULL")
            if !defaultExpression.isEmpty { text += " DEFAULT " + defaultExpression }
            return text
        }
    }

    /// One table (plain or partitioned parent).
    public struct Table: Sendable, Equatable, Codable {
        public var name: String
        /// `RANGE (ts)` for a partitioned table, empty for a plain one.
        public var partitionKey: String
        /// How many partitions are attached now (information only, never drift).
        public var partitionCount: Int
        /// In column order.
        public var columns: [Column]
        /// Constraint name → `pg_get_constraintdef` (`PRIMARY KEY (ts)`, `CHECK ((price > (0)::numeric))`).
        public var constraints: [String: String]
        /// Index name → `[UNIQUE ]USING btree (event_ticker, ts)`.
        public var indexes: [String: String]

        public init(name: String, partitionKey: String = "", partitionCount: Int = 0, columns: [Column] = [],
                    constraints: [String: String] = [:], indexes: [String: String] = [:]) {
            self.name = name
            self.partitionKey = partitionKey
            self.partitionCount = partitionCount
            self.columns = columns
            self.constraints = constraints
            self.indexes = indexes
        }

        /// `partitioned by RANGE (ts)` or `plain table`.
        public var kindDescription: String { partitionKey.isEmpty ? "plain table" : "partitioned by \(partitionKey)" }
    }

    /// Table name → table.
    public var tables: [String: Table]

    public init(tables: [String: Table] = [:]) {
        self.tables = tables
    }
}
