import FixtureServers
import Foundation
import KalshiKit
import StorageKit
import Synchronization
import Testing

/// Each daemon binary runs with a distinctive PostgreSQL password (from a systemd credential or a
/// password file) and a Kalshi private key in its credentials folder, at the most verbose log
/// level. The secrets appear in no log line, no notify datagram (`STATUS=`...), not in its argv,
/// and in no file it writes; and every file it creates is at most 0640 although it was started
/// with the permissive umask 0022.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SecretsNeverLeakTests {
    enum DaemonUnderTest: String, CaseIterable, Sendable {
        case btc = "btc-price-watchdog"
        case kalshi = "kalshi-api-watchdog"
        case analysis = "live-data-analysis"
    }

    @Test(arguments: DaemonUnderTest.allCases) func secretsAppearNowhereAndFilesArePrivate(_ daemon: DaemonUnderTest) async throws {
        let server = try await FixtureServer.start()
        let now = Int64(Date().timeIntervalSince1970)
        for event in [EventTicker(series: "KXBTCD", at: now), EventTicker(series: "KXBTCD", at: now).next] {
            server.setRoute(HTTPFixtureRoute("GET", "/trade-api/v2/events/\(event)"), .json(Self.eventBody(event)))
        }
        let passwordSecret = "pg-S3cret-" + UUID().uuidString
        let keySecret = "kalshi-key-" + UUID().uuidString
        do {
            try await withTemporaryDirectory { dir in
                try await TestPostgres.withSchema(.nameOnly) { schema, _ in
                    let credentials = dir.appendingPathComponent("credentials")
                    let data = dir.appendingPathComponent("data")
                    try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
                    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
                    try Data((passwordSecret + "\n").utf8).write(to: credentials.appendingPathComponent("pgpassword"))
                    try Data("-----BEGIN PRIVATE KEY-----\n\(keySecret)\n-----END PRIVATE KEY-----\n".utf8)
                        .write(to: credentials.appendingPathComponent("kalshi-private-key"))

                    var config = SecurityConfig(directory: dir, schema: schema.name)
                    switch daemon {
                    case .btc:
                        config.passwordCredential = "pgpassword"
                        config.services["btc_price_watchdog"] = [
                            "writers": ["sqlite", "json", "postgres"], "primary": "sqlite",
                            "sqlite_path": data.appendingPathComponent("btc_price_history.db").path, "json_dir": data.path,
                            "options": ["websocket_url": server.webSocketURL, "coinbase_spot_url": server.httpBaseURL,
                                        "kraken_url": server.httpBaseURL, "coinbase_exchange_url": server.httpBaseURL],
                        ]
                    case .kalshi:
                        config.passwordFile = credentials.appendingPathComponent("pgpassword").path
                        config.services["kalshi_api_watchdog"] = [
                            "writers": ["json", "postgres"], "primary": "json", "json_dir": data.path, "json_archive": true,
                            "options": ["base_url": server.httpBaseURL + "/trade-api/v2", "poll_interval_seconds": 1],
                        ]
                    case .analysis:
                        config.passwordCredential = "pgpassword"
                        config.services["live_data_analysis"] = [
                            "writers": ["postgres", "json"], "primary": "postgres", "reader": "postgres", "json_dir": data.path,
                        ]
                    }
                    try config.write()
                    let run = try await Self.run(daemon, config: config.url, credentials: credentials, directory: dir) {
                        // Wait until the daemon has written into its data folder (or, for the
                        // PostgreSQL-only analysis, a moment of cycles) before stopping it.
                        let names = (try? FileManager.default.contentsOfDirectory(atPath: data.path)) ?? []
                        return daemon == .analysis ? names.contains { $0.hasSuffix(".json") } : names.count >= 2
                    }
                    #expect(run.exitStatus == 0, "\(run.log)")
                    #expect(run.notifications.contains { $0.contains("READY=1") }, "\(run.notifications)")
                    #expect(run.notifications.contains { $0.contains("STATUS=") })
                    #expect(!run.argv.isEmpty)
                    // Not vacuous: the daemon logged at trace level and reached PostgreSQL with the password.
                    #expect(run.log.split(separator: "\n").count >= 5, "\(run.log)")
                    #expect(run.log.contains("PostgreSQL connected"), "\(run.log)")

                    let written = try Self.files(under: data)
                    #expect(!written.contents.isEmpty, "the daemon wrote no file")
                    for secret in [passwordSecret, keySecret] {
                        let needle = Array(secret.utf8)
                        #expect(!run.log.contains(secret), "secret in the log")
                        #expect(!run.notifications.contains { $0.contains(secret) }, "secret in a notify datagram")
                        #expect(!run.argv.contains(secret), "secret in argv")
                        for (path, bytes) in written.contents {
                            #expect(!Self.contains(bytes, needle), "secret in \(path)")
                        }
                    }
                    for (path, mode) in written.modes {
                        #expect(mode & 0o027 == 0, "\(path) has mode \(String(mode, radix: 8)), more open than 0640")
                    }
                }
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// What one run left behind.
    struct Run {
        var exitStatus: Int32
        var log: String
        var notifications: [String]
        var argv: String
    }

    /// Starts `daemon` with the credentials folder, a notify socket and umask 0022, waits for
    /// READY=1 and `done()`, reads its `/proc` argv, then stops it with SIGTERM.
    static func run(_ daemon: DaemonUnderTest, config: URL, credentials: URL, directory: URL,
                    until done: @escaping @Sendable () -> Bool) async throws -> Run {
        let receiver = try DatagramReceiver(directory: directory)
        let logURL = directory.appendingPathComponent("daemon.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let process = Process()
        process.executableURL = try BuiltExecutable.url(daemon.rawValue)
        process.arguments = ["--config", config.path]
        var environment = ProcessInfo.processInfo.environment
        for key in ["WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "RECIO_CONFIG", "PGPASSWORD"] { environment[key] = nil }
        environment["NOTIFY_SOCKET"] = receiver.address
        environment["CREDENTIALS_DIRECTORY"] = credentials.path
        environment["RECIO_LOG_LEVEL"] = "trace"
        process.environment = environment
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        let previous = umask(0o022)
        defer { umask(previous) }
        try process.run()
        umask(previous)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let notifications = Mutex<[String]>([])
        let collector = Task {
            while !Task.isCancelled {
                if let text = await receiver.receiveString(timeout: .milliseconds(200)) {
                    notifications.withLock { $0.append(text) }
                }
            }
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline, process.isRunning {
            if notifications.withLock({ $0.contains { $0.contains("READY=1") } }), done() { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let argv = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/cmdline")))
            .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\0", with: " ") } ?? ""
        kill(process.processIdentifier, SIGTERM)
        let status = await Task.detached {
            process.waitUntilExit()
            return process.terminationStatus
        }.value
        try await Task.sleep(for: .milliseconds(300))  // the last datagrams (STOPPING=1)
        collector.cancel()
        _ = await collector.value
        return Run(exitStatus: status, log: (try? String(contentsOf: logURL, encoding: .utf8)) ?? "",
                   notifications: notifications.withLock { $0 }, argv: argv)
    }

    /// Every regular file under `folder` (recursively): contents and permission bits.
    static func files(under folder: URL) throws -> (contents: [(String, [UInt8])], modes: [(String, UInt16)]) {
        var contents: [(String, [UInt8])] = []
        var modes: [(String, UInt16)] = []
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let name = enumerator?.nextObject() as? String {
            let path = folder.appendingPathComponent(name).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            modes.append((name, UInt16((attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777)))
            contents.append((name, Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        }
        return (contents, modes)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, Array(haystack[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }

    /// A `GetEventResponse` with one market in the legacy integer form.
    static func eventBody(_ event: EventTicker) -> String {
        let close = event.closeEpochSeconds
        return """
            {"event": {"event_ticker": "\(event)", "series_ticker": "\(event.series)", "title": "BTC"}, "markets": [
              {"ticker": "\(event)-T100000", "event_ticker": "\(event)", "status": "active", "title": "BTC above 100000?",
               "open_time": "\(UTCTime.iso8601(epochSeconds: close - 3600))", "close_time": "\(UTCTime.iso8601(epochSeconds: close))",
               "yes_bid": 12, "yes_ask": 13, "no_bid": 87, "no_ask": 88, "last_price": 12, "volume": 10, "open_interest": 5,
               "strike_type": "greater", "floor_strike": 100000}]}
            """
    }
}
