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
            version: 2,
            name: "live_analysis",
            sql: """
                -- One analysis sample per UTC second (live-data-analysis). Prices are exact NUMERIC;
                -- the derived figures (percent deltas, momentum, a mean, volatilities) are
                -- double precision. The volatility windows are configurable, so they are one jsonb
                -- object keyed by window seconds: {"60": 0.41, "300": 0.38, "900": null, "3600": 0.52}.
                -- NULL (or a JSON null) is "the history could not support this figure".
                CREATE TABLE {schema}.live_analysis (
                    ts timestamptz NOT NULL,
                    price numeric(14,2) CHECK (price > 0),
                    price_ts timestamptz,
                    delta_1m double precision,
                    delta_2m double precision,
                    delta_3m double precision,
                    delta_4m double precision,
                    delta_15m double precision,
                    delta_30m double precision,
                    momentum double precision,
                    one_minute_avg double precision,
                    volatility jsonb NOT NULL,
                    seconds_to_hour_close integer NOT NULL CHECK (seconds_to_hour_close BETWEEN 1 AND 3600),
                    stale boolean NOT NULL,
                    PRIMARY KEY (ts)
                ) PARTITION BY RANGE (ts);
                """
        ),
    ]

    /// Tables range-partitioned by month, for which start-up creates partitions ahead.
    public static let monthlyPartitionedTables = ["price_history", "live_analysis"]
}
