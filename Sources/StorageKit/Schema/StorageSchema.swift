/// The PostgreSQL schema this binary knows, as the ordered list of its migrations. Daemon issues
/// append their tables here as new versions.
public enum StorageSchema {
    /// All migrations, ascending by version.
    public static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "price_history and heartbeats",
            sql: """
                CREATE SCHEMA IF NOT EXISTS {schema};

                -- One row per UTC second. Range-partitioned by month, with no default partition:
                -- retention drops whole months, and a write for a month without a partition fails
                -- loudly instead of landing in a catch-all.
                CREATE TABLE {schema}.price_history (
                    ts timestamptz NOT NULL,
                    price numeric(14,2) NOT NULL CHECK (price > 0),
                    source text NOT NULL,
                    PRIMARY KEY (ts)
                ) PARTITION BY RANGE (ts);

                CREATE TABLE {schema}.heartbeats (
                    service text NOT NULL,
                    ts timestamptz NOT NULL,
                    detail text NOT NULL,
                    PRIMARY KEY (service, ts)
                );
                """
        ),
    ]

    /// Tables range-partitioned by month, for which start-up creates partitions ahead.
    public static let monthlyPartitionedTables = ["price_history"]
}
