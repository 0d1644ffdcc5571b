import FixtureServers
import Foundation
import StorageKit
import Testing

/// The real `btc-price-watchdog` binary against a fixture exchange, a real PostgreSQL schema and a
/// temporary legacy folder: what the daemon records, in which stores, under which configs.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WatchdogProcessTests {
    /// Short polling with a deadline, for state in another process (rows, files).
    static func waitFor(_ what: String, within: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + within
        while !(try await condition()) {
            guard ContinuousClock.now < deadline else { throw DeadlineExceeded(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A `key=N` figure from the daemon's log (the shutdown line), or -1.
    static func loggedCount(_ key: String, in log: String) -> Int {
        guard let range = log.range(of: "\(key)=") else { return -1 }
        return Int(log[range.upperBound...].prefix { $0.isNumber }) ?? -1
    }

    /// The legacy `price_log` rows through the sqlite3 CLI: key → price.
    static func legacyRows(_ path: String) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        // The daemon creates the file, then the table: on a loaded disk a read can fall in between.
        guard try sqlite3CLI(path, "SELECT count(*) FROM sqlite_master WHERE name = 'price_log'").hasPrefix("1") else { return [:] }
        let text = try sqlite3CLI(path, "SELECT timestamp || '|' || price FROM price_log ORDER BY timestamp")
        var rows: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "|", maxSplits: 1).map(String.init)
            if parts.count == 2 { rows[parts[0]] = parts[1] }
        }
        return rows
    }

    @Test func dualWriteRecordsEverySecondInBothStoresThroughAnOutage() async throws {
        try await withFixtureServer(script: TickerScript(prices: ["64000.12"], interval: .milliseconds(50))) { server in
            WatchdogFixture.configure(server)
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, pg in
                    let config = WatchdogConfig(writers: ["sqlite", "json", "postgres"], primary: "sqlite", directory: dir,
                                                schema: schema.name, server: server)
                    let daemon = try WatchdogProcess(config: try config.write(), log: dir.appendingPathComponent("daemon.log"))

                    try await Self.waitFor("websocket seconds in PostgreSQL") {
                        try await TestPostgres.priceHistory(schema, pg).filter { $0.source == "coinbase_ws" }.count >= 3
                    }
                    // The exchange goes away: REST fallback keeps every second, then the websocket comes back.
                    server.setMode(.refuseUpgrade)
                    server.dropConnections()
                    try await Self.waitFor("REST fallback seconds") {
                        try await TestPostgres.priceHistory(schema, pg).filter { $0.source == "coinbase_spot" }.count >= 2
                    }
                    let fallbackEnd = try await TestPostgres.priceHistory(schema, pg).last!.second
                    server.setMode(.streaming)
                    try await Self.waitFor("websocket seconds again") {
                        try await TestPostgres.priceHistory(schema, pg).contains { $0.source == "coinbase_ws" && $0.second > fallbackEnd }
                    }
                    try await Self.waitFor("btc_price_change.json") {
                        FileManager.default.fileExists(atPath: dir.appendingPathComponent("btc_price_change.json").path)
                    }

                    let status = await daemon.terminate()
                    #expect(status == 0, "\(daemon.log)")
                    #expect(daemon.log.contains("btc price watchdog stopped"))

                    // PostgreSQL: one row per second, none missing, each with its source; every tick
                    // the daemon accepted before SIGTERM is stored.
                    let rows = try await TestPostgres.priceHistory(schema, pg)
                    let accepted = Self.loggedCount("ticks.accepted", in: daemon.log)
                    #expect(accepted == rows.count && Self.loggedCount("ticks.written", in: daemon.log) == accepted, "\(daemon.log)")
                    let seconds = rows.map(\.second)
                    #expect(seconds == Array(seconds.first!...seconds.last!))
                    #expect(Set(rows.map(\.source)).isSuperset(of: ["coinbase_ws", "coinbase_spot"]))
                    #expect(rows.filter { $0.source == "coinbase_ws" }.allSatisfy { $0.price == "64000.12" })
                    #expect(rows.filter { $0.source == "coinbase_spot" }.allSatisfy { $0.price == "64010.00" })
                    let wsSeconds = rows.filter { $0.source == "coinbase_ws" }.map(\.second)
                    let spotSeconds = rows.filter { $0.source == "coinbase_spot" }.map(\.second)
                    #expect(wsSeconds.min()! < spotSeconds.min()! && spotSeconds.max()! < wsSeconds.max()!)

                    // SQLite (primary): the legacy schema verbatim, the legacy keys of exactly the same seconds.
                    let schemaText = try sqlite3CLI(config.sqlitePath, ".schema price_log")
                    #expect(schemaText.contains("CREATE TABLE price_log (timestamp TEXT PRIMARY KEY, price REAL, one_minute_avg REAL, momentum REAL, delta_1m REAL, delta_2m REAL, delta_3m REAL, delta_4m REAL, delta_15m REAL, delta_30m REAL)"), "\(schemaText)")
                    let legacy = try Self.legacyRows(config.sqlitePath)
                    #expect(Set(legacy.keys) == Set(seconds.map(legacyKeyOracle)))
                    #expect(Set(legacy.values) == ["64000.12", "64010.0"])
                    let types = try sqlite3CLI(config.sqlitePath,
                        "SELECT DISTINCT typeof(timestamp) || ',' || typeof(price) || ',' || typeof(one_minute_avg) FROM price_log")
                    #expect(types == "text,real,real\n")

                    // Heartbeat: the legacy line for the last second recorded.
                    let heartbeat = try String(contentsOf: dir.appendingPathComponent("btc_logger_heartbeat.txt"), encoding: .utf8)
                    #expect(heartbeat == "\(legacyKeyOracle(seconds.last!)) BTC logger alive\n")

                    // Price change: legacy keys and format, and a row in PostgreSQL.
                    let change = try String(contentsOf: dir.appendingPathComponent("btc_price_change.json"), encoding: .utf8)
                    let e = WatchdogFixture.expectedChanges
                    #expect(change.hasPrefix(#"{"change1h": \#(e.change1h), "change3h": \#(e.change3h), "change1d": \#(e.change1d), "timestamp": ""#), "\(change)")
                    let decoded = try JSONSerialization.jsonObject(with: Data(change.utf8)) as! [String: Any]
                    #expect(Set(decoded.keys) == ["change1h", "change3h", "change1d", "timestamp"])
                    let stamp = decoded["timestamp"] as! String
                    #expect(stamp.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00$"#, options: .regularExpression) != nil, "\(stamp)")
                    let stored = try await pg.query("SELECT change_1h::text, price::text FROM \(schema.quoted).price_changes")
                    #expect(stored.rows.first == [e.change1h.description, "64500.00"])
                }
            }
        }
    }

    @Test func restartRepairsTheGapFromRecentTrades() async throws {
        try await withFixtureServer(script: TickerScript(prices: ["64000.12"], interval: .milliseconds(50))) { server in
            WatchdogFixture.configure(server)
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, pg in
                    let config = WatchdogConfig(writers: ["sqlite", "postgres"], primary: "sqlite", directory: dir,
                                                schema: schema.name, server: server)
                    try config.write()
                    let first = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("first.log"))
                    try await Self.waitFor("a few seconds recorded") { try await TestPostgres.priceHistory(schema, pg).count >= 3 }
                    #expect(await first.terminate() == 0, "\(first.log)")
                    let stoppedAt = try await TestPostgres.priceHistory(schema, pg).last!.second

                    // The restart takes a while: the seconds in between must come from the trades endpoint.
                    try await Task.sleep(for: .seconds(3))
                    let now = Int64(Date().timeIntervalSince1970)
                    WatchdogFixture.setTrades(server, seconds: (stoppedAt - 30)...(now + 60))
                    let second = try WatchdogProcess(config: config.url, log: dir.appendingPathComponent("second.log"))
                    try await Self.waitFor("repaired seconds") {
                        try await TestPostgres.priceHistory(schema, pg).contains { $0.source == "gap_repair" }
                    }
                    try await Self.waitFor("live seconds after the restart") {
                        try await TestPostgres.priceHistory(schema, pg).filter { $0.second > stoppedAt && $0.source == "coinbase_ws" }.count >= 2
                    }
                    #expect(await second.terminate() == 0, "\(second.log)")
                    #expect(second.log.contains("price history gap repaired from recent trades"), "\(second.log)")

                    let rows = try await TestPostgres.priceHistory(schema, pg)
                    let seconds = rows.map(\.second)
                    #expect(seconds == Array(seconds.first!...seconds.last!), "a second is missing")
                    let repaired = rows.filter { $0.source == "gap_repair" }
                    #expect(repaired.count >= 3)
                    #expect(repaired.allSatisfy { $0.second > stoppedAt })
                    #expect(repaired.allSatisfy { $0.price == WatchdogFixture.tradePrice($0.second).description })
                    // The legacy file got the repaired seconds too.
                    let legacy = try Self.legacyRows(config.sqlitePath)
                    #expect(Set(legacy.keys) == Set(seconds.map(legacyKeyOracle)))
                }
            }
        }
    }

    /// Legacy only, dual-write with either primary, PostgreSQL only: the same binary, only the config differs.
    @Test(arguments: [
        (["sqlite", "json"], "sqlite"),
        (["sqlite", "json", "postgres"], "sqlite"),
        (["sqlite", "json", "postgres"], "postgres"),
        (["postgres"], "postgres"),
    ])
    func everyWriterCombinationWorks(writers: [String], primary: String) async throws {
        try await withFixtureServer(script: TickerScript(prices: ["64000.12"], interval: .milliseconds(50))) { server in
            WatchdogFixture.configure(server)
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, pg in
                    let config = WatchdogConfig(writers: writers, primary: primary, directory: dir, schema: schema.name, server: server)
                    let daemon = try WatchdogProcess(config: try config.write(), log: dir.appendingPathComponent("daemon.log"))
                    try await Self.waitFor("three seconds in the primary") {
                        if primary == "sqlite" { return try Self.legacyRows(config.sqlitePath).count >= 3 }
                        return try await TestPostgres.priceHistory(schema, pg).count >= 3
                    }
                    #expect(await daemon.terminate() == 0, "\(daemon.log)")

                    let pgRows = try await TestPostgres.priceHistory(schema, pg)
                    let legacy = try Self.legacyRows(config.sqlitePath)
                    let heartbeatFile = dir.appendingPathComponent("btc_logger_heartbeat.txt").path
                    if writers.contains("postgres") {
                        #expect(pgRows.count >= 3)
                        let beats = try await pg.query("SELECT count(*) FROM \(schema.quoted).heartbeats WHERE service = 'btc_price_watchdog'")
                        #expect(Int(beats.scalar ?? "0")! >= 3)
                    } else {
                        #expect(pgRows.isEmpty)
                    }
                    if writers.contains("sqlite") {
                        #expect(legacy.count >= 3)
                        #expect(FileManager.default.fileExists(atPath: heartbeatFile))
                    } else {
                        #expect(!FileManager.default.fileExists(atPath: config.sqlitePath))
                        #expect(!FileManager.default.fileExists(atPath: heartbeatFile))
                    }
                    if writers.contains("sqlite"), writers.contains("postgres") {
                        #expect(Set(legacy.keys) == Set(pgRows.map { legacyKeyOracle($0.second) }))
                    }
                }
            }
        }
    }

    @Test func badOptionsExit78NamingTheKey() async throws {
        try await withFixtureServer { server in
            try await withTemporaryDirectory { dir in
                let cases: [([String: Any], String)] = [
                    (["stale_after_secs": 5], "$.services.btc_price_watchdog.options.stale_after_secs"),
                    (["stale_after_seconds": "5"], "$.services.btc_price_watchdog.options.stale_after_seconds"),
                    (["max_jump_fraction": 3], "$.services.btc_price_watchdog.options.max_jump_fraction"),
                    (["websocket_url": "http://example.com"], "$.services.btc_price_watchdog.options.websocket_url"),
                ]
                for (options, path) in cases {
                    let config = WatchdogConfig(writers: ["postgres"], primary: "postgres", directory: dir, schema: "user_0001",
                                                server: server, options: options)
                    let daemon = try WatchdogProcess(config: try config.write(), log: dir.appendingPathComponent("bad.log"))
                    #expect(await daemon.waitForExit() == 78, "\(options)")
                    #expect(daemon.log.contains(path), "\(daemon.log)")
                }
            }
        }
    }
}
