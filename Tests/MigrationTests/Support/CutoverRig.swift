import Foundation
import Migration
import ServiceKit
import StorageKit
import Testing

/// A temporary folder, a PostgreSQL schema, a `services.json` and a test service manager running
/// the synthetic price daemon (`RecioTestDaemon`, which records one tick a second as
/// btc_price_watchdog) as `recio-btc-price-watchdog.service`, for recioctl's cutover tests.
struct CutoverRig {
    static let unit = ServiceName.btcPriceWatchdog.unitName
    let dir: URL
    let schema: PostgresIdentifier
    let pg: PostgresConnection
    let manager: TestServiceManager

    var config: URL { dir.appendingPathComponent("services.json") }
    var sqlitePath: String { dir.appendingPathComponent("btc_price_history.db").path }

    /// Writes the file in the hand-aligned layout operators use, btc at the given writers.
    func writeConfig(writers: [String], primary: String) throws {
        let list = writers.map { "\"\($0)\"" }.joined(separator: ", ")
        let text = """
            {
              "postgres": { "conninfo": "", "schema": "\(schema.name)" },
              "services": {
                "btc_price_watchdog":       { "writers": [\(list)], "primary": "\(primary)",
                                              "sqlite_path": "\(sqlitePath)" },
                "kalshi_api_watchdog":      { "writers": ["postgres"], "primary": "postgres" },
                "kalshi_historical_ingest": { "writers": ["postgres"], "primary": "postgres" },
                "live_data_analysis":       { "writers": ["postgres"], "primary": "postgres", "reader": "postgres" }
              }
            }

            """
        try Data(text.utf8).write(to: config)
    }

    /// The btc stage the file is at now.
    func stage() throws -> MigrationStage {
        try MigrationStage(entry: try ServicesConfig.load(path: config.path).service(.btcPriceWatchdog))
    }

    /// Defines and starts the synthetic daemon (one tick a second from now), waits until it is healthy.
    func startDaemon(environment: [String: String] = [:]) async throws {
        var env = ["RECIO_TEST_START": String(Int64(Date().timeIntervalSince1970)), "RECIO_TEST_BATCH": "1",
                   "RECIO_TEST_INTERVAL_MS": "1000", "RECIO_LOG_LEVEL": "info"]
        env.merge(environment) { $1 }
        try manager.define(unit: Self.unit, executable: try ProductProcess.path("RecioTestDaemon"), arguments: ["--config", config.path], environment: env)
        try await manager.start(Self.unit)
        _ = try await healthy(StageLayout(try ServicesConfig.load(path: config.path).service(.btcPriceWatchdog)))
    }

    /// Waits (up to 30 s) for the unit to be active and healthy on `layout`.
    func healthy(_ layout: StageLayout?) async throws -> UnitState {
        try await HealthWait(control: ServiceControl(command: manager.systemctl), timeout: .seconds(30), pollInterval: .milliseconds(200))
            .wait(for: .btcPriceWatchdog, layout: layout)
    }

    /// Runs recioctl with this rig's config and service manager; `now` sets recioctl's clock.
    func recioctl(_ arguments: [String], now: Date? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
        var env: [String: String] = [:]
        if let now { env["RECIOCTL_NOW"] = String(Int64(now.timeIntervalSince1970)) }
        env["RECIO_SYSTEMCTL"] = manager.systemctl
        return try await ProductProcess.run("recioctl", arguments + ["--config", config.path], environment: env)
    }

    /// Rows of `stage_changes` (newest first) and `parity_results` ok flags (newest first).
    func history() async throws -> (changes: [StageChange], parity: [Bool]) {
        let changes = try await StageHistory(connection: pg, schema: schema).changes(.btcPriceWatchdog)
        let parity = try await pg.query("SELECT ok FROM \(schema.quoted).parity_results ORDER BY id DESC").rows.map { $0[0] == "t" }
        return (changes, parity)
    }

    /// Polls `condition` every 200 ms for up to `within`.
    static func waitFor(_ what: String, within: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + within
        while !(try await condition()) {
            try #require(ContinuousClock.now < deadline, "timed out waiting for \(what)")
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// PostgreSQL price_history rows.
    func postgresRows() async throws -> Int {
        Int(try await pg.query("SELECT count(*) FROM \(schema.quoted).price_history").scalar ?? "0") ?? 0
    }
}

/// Runs `body` with a rig (a migrated schema), always stopping the daemons and dropping the schema.
func withCutoverRig(_ body: (CutoverRig) async throws -> Void) async throws {
    try await withTemporaryDirectory { dir in
        try await TestPostgres.withSchema(.migrated) { schema, pg in
            try await withTestServiceManager(dir) { manager in
                try await body(CutoverRig(dir: dir, schema: schema, pg: pg, manager: manager))
            }
        }
    }
}
