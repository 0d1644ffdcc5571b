/// The PostgreSQL schema this binary knows, as the ordered list of its migrations. Daemon issues
/// append their tables here as new versions.
public enum StorageSchema {
    /// All migrations, ascending by version.
    public static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "price_history and heartbeats",
            // The schema itself is created by `SchemaMigrator` before any migration runs (and only
            // when missing): a `CREATE SCHEMA IF NOT EXISTS` here would need the database's CREATE
            // privilege, which a least-privilege user role (`recioctl user create`) does not have.
            sql: """
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
        Migration(
            version: 3,
            name: "market_snapshots",
            sql: """
                -- One row per Kalshi market per poll (kalshi-api-watchdog). Prices are dollars with
                -- 4 decimals, counts contracts with 2 (fractional trading); both exact NUMERIC.
                -- Range-partitioned by month like price_history (about 3.5 M rows a day at 1 Hz
                -- with 40 markets): retention drops whole months.
                CREATE TABLE {schema}.market_snapshots (
                    ts timestamptz NOT NULL,
                    market_ticker text NOT NULL,
                    event_ticker text NOT NULL,
                    status text NOT NULL,
                    yes_bid numeric(12,4) NOT NULL CHECK (yes_bid >= 0),
                    yes_ask numeric(12,4) NOT NULL CHECK (yes_ask >= 0),
                    no_bid numeric(12,4) NOT NULL CHECK (no_bid >= 0),
                    no_ask numeric(12,4) NOT NULL CHECK (no_ask >= 0),
                    last_price numeric(12,4) NOT NULL CHECK (last_price >= 0),
                    volume numeric(18,2) NOT NULL CHECK (volume >= 0),
                    volume_24h numeric(18,2) CHECK (volume_24h >= 0),
                    open_interest numeric(18,2) NOT NULL CHECK (open_interest >= 0),
                    open_time timestamptz NOT NULL,
                    close_time timestamptz NOT NULL,
                    strike_type text,
                    floor_strike numeric,
                    cap_strike numeric,
                    raw jsonb NOT NULL,
                    PRIMARY KEY (ts, market_ticker)
                ) PARTITION BY RANGE (ts);

                CREATE INDEX market_snapshots_event_ts ON {schema}.market_snapshots (event_ticker, ts);
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
        Migration(
            version: 5,
            name: "kalshi history and ingest checkpoints",
            sql: """
                -- kalshi-historical-ingest: account and market history. Money is dollars with 4
                -- decimals, counts contracts with 2 (the project convention, exact NUMERIC). Natural
                -- keys make every write idempotent; `raw` keeps the object as Kalshi sent it.
                CREATE TABLE {schema}.kalshi_fills (
                    trade_id text PRIMARY KEY,
                    fill_id text,
                    order_id text,
                    market_ticker text NOT NULL,
                    side text NOT NULL CHECK (side IN ('yes', 'no')),
                    action text NOT NULL CHECK (action IN ('buy', 'sell')),
                    count numeric(18,2) NOT NULL CHECK (count >= 0),
                    yes_price numeric(12,4) NOT NULL CHECK (yes_price BETWEEN 0 AND 1),
                    no_price numeric(12,4) NOT NULL CHECK (no_price BETWEEN 0 AND 1),
                    is_taker boolean,
                    fee_cost numeric(14,4),
                    created_time timestamptz NOT NULL,
                    raw jsonb NOT NULL
                );
                CREATE INDEX kalshi_fills_created ON {schema}.kalshi_fills (created_time);

                CREATE TABLE {schema}.kalshi_settlements (
                    ticker text NOT NULL,
                    settled_time timestamptz NOT NULL,
                    event_ticker text,
                    market_result text NOT NULL,
                    yes_count numeric(18,2) NOT NULL,
                    yes_total_cost numeric(14,4) NOT NULL,
                    no_count numeric(18,2) NOT NULL,
                    no_total_cost numeric(14,4) NOT NULL,
                    revenue numeric(14,4) NOT NULL,
                    fee_cost numeric(14,4),
                    value numeric(14,4),
                    raw jsonb NOT NULL,
                    PRIMARY KEY (ticker, settled_time)
                );

                -- The latest positions snapshot only, replaced in one transaction.
                CREATE TABLE {schema}.kalshi_positions (
                    ticker text PRIMARY KEY,
                    position numeric(18,2) NOT NULL,
                    total_traded numeric(14,4) NOT NULL,
                    market_exposure numeric(14,4) NOT NULL,
                    realized_pnl numeric(14,4) NOT NULL,
                    fees_paid numeric(14,4) NOT NULL,
                    resting_orders_count bigint NOT NULL,
                    last_updated timestamptz,
                    snapshot_time timestamptz NOT NULL,
                    raw jsonb NOT NULL
                );

                CREATE TABLE {schema}.kalshi_markets (
                    ticker text PRIMARY KEY,
                    event_ticker text NOT NULL,
                    series_ticker text NOT NULL,
                    status text NOT NULL,
                    result text NOT NULL,
                    open_time timestamptz NOT NULL,
                    close_time timestamptz NOT NULL,
                    settlement_time timestamptz,
                    settlement_value numeric(14,4),
                    volume numeric(18,2),
                    raw jsonb NOT NULL
                );
                CREATE INDEX kalshi_markets_series_close ON {schema}.kalshi_markets (series_ticker, close_time);

                CREATE TABLE {schema}.kalshi_candlesticks (
                    ticker text NOT NULL,
                    period_minutes integer NOT NULL CHECK (period_minutes IN (1, 60, 1440)),
                    end_period_ts timestamptz NOT NULL,
                    yes_bid_open numeric(12,4) NOT NULL,
                    yes_bid_low numeric(12,4) NOT NULL,
                    yes_bid_high numeric(12,4) NOT NULL,
                    yes_bid_close numeric(12,4) NOT NULL,
                    yes_ask_open numeric(12,4) NOT NULL,
                    yes_ask_low numeric(12,4) NOT NULL,
                    yes_ask_high numeric(12,4) NOT NULL,
                    yes_ask_close numeric(12,4) NOT NULL,
                    price_open numeric(12,4),
                    price_low numeric(12,4),
                    price_high numeric(12,4),
                    price_close numeric(12,4),
                    price_mean numeric(12,4),
                    price_previous numeric(12,4),
                    volume numeric(18,2) NOT NULL CHECK (volume >= 0),
                    open_interest numeric(18,2) NOT NULL CHECK (open_interest >= 0),
                    PRIMARY KEY (ticker, period_minutes, end_period_ts)
                );

                CREATE TABLE {schema}.kalshi_trades (
                    trade_id text PRIMARY KEY,
                    ticker text NOT NULL,
                    count numeric(18,2) NOT NULL CHECK (count >= 0),
                    yes_price numeric(12,4) NOT NULL CHECK (yes_price BETWEEN 0 AND 1),
                    no_price numeric(12,4) NOT NULL CHECK (no_price BETWEEN 0 AND 1),
                    taker_side text NOT NULL CHECK (taker_side IN ('yes', 'no')),
                    created_time timestamptz NOT NULL
                );
                CREATE INDEX kalshi_trades_ticker_created ON {schema}.kalshi_trades (ticker, created_time);

                -- One row per ingest stream: where it resumes. Written in the same transaction as
                -- the rows it covers.
                CREATE TABLE {schema}.ingest_checkpoints (
                    stream text PRIMARY KEY,
                    cursor text,
                    pass_min bigint,
                    pass_max bigint,
                    watermark bigint,
                    rows bigint NOT NULL,
                    updated_at timestamptz NOT NULL
                );
                """
        ),
        Migration(
            version: 6,
            name: "stage_changes and parity_results",
            sql: """
                -- Every stage change recioctl cutover/rollback made (the stage itself lives only in
                -- services.json): who moved which service from where to where, when, on what parity
                -- evidence, and the reason when the gates were forced. `recioctl status` reads how
                -- long a service has been at its stage from here.
                CREATE TABLE {schema}.stage_changes (
                    id bigserial PRIMARY KEY,
                    service text NOT NULL,
                    from_stage text NOT NULL,
                    to_stage text NOT NULL,
                    changed_at timestamptz NOT NULL,
                    changed_by text NOT NULL,
                    parity text NOT NULL,
                    forced_reason text,
                    config_backup text
                );
                CREATE INDEX stage_changes_service_time ON {schema}.stage_changes (service, changed_at DESC);

                -- The outcome of each parity run recioctl made for a service (the cutover gate), for
                -- `recioctl status`'s "last parity" column.
                CREATE TABLE {schema}.parity_results (
                    id bigserial PRIMARY KEY,
                    service text NOT NULL,
                    dataset text NOT NULL,
                    ran_at timestamptz NOT NULL,
                    window_from timestamptz NOT NULL,
                    window_to timestamptz NOT NULL,
                    ok boolean NOT NULL,
                    summary text NOT NULL
                );
                CREATE INDEX parity_results_service_time ON {schema}.parity_results (service, ran_at DESC);
                """
        ),
    ]

    /// Tables range-partitioned by month, for which start-up creates partitions ahead.
    public static let monthlyPartitionedTables = ["price_history", "market_snapshots", "live_analysis"]
}
