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
        Migration(
            version: 4,
            name: "price_changes",
            sql: """
                -- The legacy Kraken "price change" figures, one row per sample (every 60 s). Percentages
                -- are exact decimals of the computed values; the price is exact cents.
                CREATE TABLE {schema}.price_changes (
                    ts timestamptz NOT NULL,
                    change_1h numeric NOT NULL,
                    change_3h numeric NOT NULL,
                    change_1d numeric NOT NULL,
                    price numeric(14,2) NOT NULL CHECK (price > 0),
                    candle_ts timestamptz NOT NULL,
                    PRIMARY KEY (ts)
                );
                """
        ),
    ]

    /// Tables range-partitioned by month, for which start-up creates partitions ahead.
    public static let monthlyPartitionedTables = ["price_history"]
}
