import Foundation
import RecioTestSupport
import StorageKit
import Testing
@testable import ServiceKit

/// The shared daemon runner, exercised through a real daemon process (`RecioTestDaemon`, which
/// records synthetic price ticks through the configured writers): exit codes, the sd_notify
/// sequence on a real socket, SIGTERM flushing every accepted record, SIGHUP reloads.
@Suite(.timeLimit(.minutes(3))) struct DaemonLifecycleTests {
    static let daemon = "RecioTestDaemon"

    /// Reads notify datagrams until one contains `state`; returns everything received on the way.
    static func awaitNotify(_ receiver: DatagramReceiver, _ state: String, timeout: Duration = .seconds(30)) async -> [String] {
        var seen: [String] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let message = await receiver.receiveString(timeout: .seconds(1)) else { continue }
            seen.append(message)
            if message.split(separator: "\n").contains(where: { $0 == state }) { return seen }
        }
        Issue.record("no \(state) within \(timeout); received \(seen)")
        return seen
    }

    static func lastAccepted(_ log: String) -> (accepted: Int, lastSecond: Int64)? {
        guard let line = log.split(separator: "\n").last(where: { $0.contains("synthetic daemon stopped") }) else { return nil }
        func value(_ key: String) -> String? {
            line.split(separator: " ").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }
        guard let a = value("accepted").flatMap(Int.init), let s = value("last_second").flatMap(Int64.init) else { return nil }
        return (a, s)
    }

    static func sqliteSeconds(_ path: String) async throws -> [Int64] {
        let reader = try await SQLiteRecordReader<PriceTick>(path: path)
        let records: [Int64]
        do {
            records = try await reader.readAll().records.map(\.second)
        } catch let error as SQLiteError where error.message.contains("no such table: price_log") {
            // The daemon creates the file, then the table: on a loaded disk a read can fall in between.
            records = []
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        return records.sorted()
    }

    static func postgresSeconds(_ schema: String, _ connection: PostgresConnection) async throws -> [Int64] {
        let reader = try PostgresRecordReader<PriceTick>(connection: connection, schema: try PostgresIdentifier(schema))
        return try await reader.records(from: 0, to: 4_102_444_800).map(\.second)
    }

    @Test func aBadConfigExitsWithEXConfigNamingTheKey() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("services.json").path
            var doc = try JSONSerialization.jsonObject(with: testConfig(schema: "user_0001", btcWriters: ["sqlite"], primary: "sqlite",
                                                                         sqlitePath: "/tmp/x.db")) as! [String: Any]
            var services = doc["services"] as! [String: Any]
            var btc = services["btc_price_watchdog"] as! [String: Any]
            btc["primary"] = "postgres"
            services["btc_price_watchdog"] = btc
            doc["services"] = services
            try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: path))
            let process = try DaemonProcess(Self.daemon, arguments: ["--config", path], logPath: dir.appendingPathComponent("log").path)
            #expect(await process.waitForExit() == 78)
            #expect(process.log.contains("$.services.btc_price_watchdog.primary"), "log: \(process.log)")

            let missing = try DaemonProcess(Self.daemon, arguments: ["--config", dir.appendingPathComponent("nope.json").path],
                                            logPath: dir.appendingPathComponent("log2").path)
            #expect(await missing.waitForExit() == 78)
            #expect(missing.log.contains("nope.json"))

            let usage = try DaemonProcess(Self.daemon, arguments: ["--bogus"], logPath: dir.appendingPathComponent("log3").path)
            #expect(await usage.waitForExit() == 64)
        }
    }

    @Test func checkConfigPrintsTheEffectiveWriters() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("services.json").path
            try testConfig(schema: "user_0001", btcWriters: ["sqlite", "postgres"], primary: "sqlite", sqlitePath: "/var/lib/recio/btc.db")
                .write(to: URL(fileURLWithPath: path))
            let process = try DaemonProcess(Self.daemon, arguments: ["--check-config"], environment: ["RECIO_CONFIG": path],
                                            logPath: dir.appendingPathComponent("log").path)
            #expect(await process.waitForExit() == 0)
            #expect(process.log.contains("btc_price_watchdog price_history: sqlite+postgres (primary sqlite)"), "\(process.log)")
        }
    }

    @Test func notifiesReadyStatusReloadingAndStopping() async throws {
        try await withTemporaryDirectory { dir in
            let receiver = try DatagramReceiver(directory: dir)
            let path = dir.appendingPathComponent("services.json").path
            try testConfig(schema: "user_0001", btcWriters: ["sqlite"], primary: "sqlite", sqlitePath: dir.appendingPathComponent("btc.db").path)
                .write(to: URL(fileURLWithPath: path))
            let process = try DaemonProcess(Self.daemon, arguments: ["--config", path],
                                            environment: ["NOTIFY_SOCKET": receiver.address, "RECIO_TEST_START": "\(Int64(Date().timeIntervalSince1970) - 600)"],
                                            logPath: dir.appendingPathComponent("log").path)
            let startup = await Self.awaitNotify(receiver, "READY=1")
            #expect(startup.joined().contains("STATUS=writing sqlite"), "\(startup)")

            process.signal(SIGHUP)
            let reload = await Self.awaitNotify(receiver, "READY=1")
            let reloading = try #require(reload.first { $0.contains("RELOADING=1") }, "\(reload)")
            #expect(reloading.contains("MONOTONIC_USEC="))

            process.signal(SIGTERM)
            _ = await Self.awaitNotify(receiver, "STOPPING=1")
            #expect(await process.waitForExit() == 0, "\(process.log)")
        }
    }

    @Test func sigtermStoresEveryAcceptedRecordBeforeExiting() async throws {
        try await TestSchema.with { schema, connection in
            try await withTemporaryDirectory { dir in
                let path = dir.appendingPathComponent("services.json").path
                try testConfig(schema: schema, btcWriters: ["postgres"], primary: "postgres").write(to: URL(fileURLWithPath: path))
                let receiver = try DatagramReceiver(directory: dir)
                let start = Int64(Date().timeIntervalSince1970) - 3 * 86_400
                // 100,000 ticks a second: far more than one batch is pending at any moment.
                let process = try DaemonProcess(Self.daemon, arguments: ["--config", path],
                                                environment: ["NOTIFY_SOCKET": receiver.address, "RECIO_TEST_START": "\(start)",
                                                              "RECIO_TEST_BATCH": "1000", "RECIO_TEST_INTERVAL_MS": "10"],
                                                logPath: dir.appendingPathComponent("log").path)
                _ = await Self.awaitNotify(receiver, "READY=1")
                try await Task.sleep(for: .milliseconds(700))
                process.signal(SIGTERM)
                #expect(await process.waitForExit() == 0, "\(process.log.suffix(2000))")
                let summary = try #require(Self.lastAccepted(process.log), "\(process.log.suffix(2000))")
                #expect(summary.accepted > 5_000)
                let stored = try await Self.postgresSeconds(schema, connection)
                #expect(stored.count == summary.accepted, "every accepted tick is stored, once")
                #expect(stored.first == start)
                #expect(stored.last == summary.lastSecond)
            }
        }
    }

    @Test func sighupWithABrokenConfigKeepsRunningOnTheOldOne() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("services.json").path
            let db = dir.appendingPathComponent("btc.db").path
            try testConfig(schema: "user_0001", btcWriters: ["sqlite"], primary: "sqlite", sqlitePath: db).write(to: URL(fileURLWithPath: path))
            let receiver = try DatagramReceiver(directory: dir)
            let process = try DaemonProcess(Self.daemon, arguments: ["--config", path],
                                            environment: ["NOTIFY_SOCKET": receiver.address, "RECIO_TEST_START": "\(Int64(Date().timeIntervalSince1970) - 3600)"],
                                            logPath: dir.appendingPathComponent("log").path)
            _ = await Self.awaitNotify(receiver, "READY=1")
            // READY=1 comes before the first write creates the table: wait for a stored row, so
            // "still recording" below compares two real counts.
            let firstRow = ContinuousClock.now + .seconds(30)
            while ((try? await Self.sqliteSeconds(db))?.count ?? 0) == 0, ContinuousClock.now < firstRow {
                try await Task.sleep(for: .milliseconds(50))
            }
            try Data("{\"postgres\": ".utf8).write(to: URL(fileURLWithPath: path))
            process.signal(SIGHUP)
            #expect(await process.waitForLog("reload rejected"))
            _ = await Self.awaitNotify(receiver, "READY=1")
            // The legacy table appears with the first write, which can come after READY=1 on a fast start.
            var before = 0
            for _ in 0..<100 where before == 0 {
                before = (try? await Self.sqliteSeconds(db).count) ?? 0
                if before == 0 { try await Task.sleep(for: .milliseconds(50)) }
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(process.process.isRunning)
            process.signal(SIGTERM)
            #expect(await process.waitForExit() == 0)
            let summary = try #require(Self.lastAccepted(process.log))
            let after = try await Self.sqliteSeconds(db)
            #expect(after.count > before, "still recording after the rejected reload")
            #expect(after.count == summary.accepted)
        }
    }

    /// The cutover mechanism: SIGHUP swaps `sqlite (primary) + postgres` for `postgres (primary) +
    /// sqlite` while recording, and both stores end with every second exactly once.
    @Test func sighupSwapsWritersWithoutLosingOrDuplicatingARecord() async throws {
        try await TestSchema.with { schema, connection in
            try await withTemporaryDirectory { dir in
                let path = dir.appendingPathComponent("services.json").path
                let db = dir.appendingPathComponent("btc.db").path
                try testConfig(schema: schema, btcWriters: ["sqlite", "postgres"], primary: "sqlite", sqlitePath: db)
                    .write(to: URL(fileURLWithPath: path))
                let receiver = try DatagramReceiver(directory: dir)
                let start = Int64(Date().timeIntervalSince1970) - 86_400
                let process = try DaemonProcess(Self.daemon, arguments: ["--config", path],
                                                environment: ["NOTIFY_SOCKET": receiver.address, "RECIO_TEST_START": "\(start)",
                                                              "RECIO_TEST_BATCH": "50", "RECIO_TEST_INTERVAL_MS": "10"],
                                                logPath: dir.appendingPathComponent("log").path)
                _ = await Self.awaitNotify(receiver, "READY=1")
                try await Task.sleep(for: .milliseconds(300))
                try testConfig(schema: schema, btcWriters: ["sqlite", "postgres"], primary: "postgres", sqlitePath: db)
                    .write(to: URL(fileURLWithPath: path))
                process.signal(SIGHUP)
                #expect(await process.waitForLog("configuration reloaded"))
                #expect(process.log.contains("writer swapped"))
                try await Task.sleep(for: .milliseconds(300))
                process.signal(SIGTERM)
                #expect(await process.waitForExit() == 0, "\(process.log.suffix(2000))")
                let summary = try #require(Self.lastAccepted(process.log))
                let expected = Array(start...summary.lastSecond)
                #expect(try await Self.postgresSeconds(schema, connection) == expected)
                #expect(try await Self.sqliteSeconds(db) == expected)
            }
        }
    }
}
