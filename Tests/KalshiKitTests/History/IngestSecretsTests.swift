import FixtureServers
import Foundation
import Synchronization
import Testing
import StorageKit
import KalshiKit

/// The real `kalshi-historical-ingest` daemon — the one daemon that holds the Kalshi private key —
/// run at trace level with the key and a PostgreSQL password as systemd credentials: neither
/// appears in its log, its notify datagrams (`STATUS=`...) or its argv, while it signs requests the
/// fixture server verifies.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct IngestSecretsTests {
    @Test func keyAndPasswordAppearNowhere() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let server = try await FixtureServer.start(logger: quietLogger("fixture"))
            let fixture = KalshiHistoryFixture(dataset: IngestProcessTests.dataset, verifier: try keys.verifier())
            fixture.install(on: server)
            do {
                try await Self.run(server: server, keys: keys, directory: dir)
            } catch {
                await server.shutdown()
                throw error
            }
            await server.shutdown()
        }
    }

    static func run(server: FixtureServer, keys: IngestTestKeys, directory dir: URL) async throws {
            let credentials = dir.appendingPathComponent("credentials")
            try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
            let password = "pg-S3cret-" + UUID().uuidString
            try Data((password + "\n").utf8).write(to: credentials.appendingPathComponent("pgpassword"))
            try Data(keys.privatePEM.utf8).write(to: credentials.appendingPathComponent("kalshi-private-key"))

            try await TestPostgres.withSchema(.nameOnly) { schema, connection in
                let options = IngestProcessTests.options(server, keys: keys).replacingOccurrences(
                    of: "\"private_key_file\": \"\(keys.privateKeyPath.path)\"", with: "\"private_key_credential\": \"kalshi-private-key\"")
                let config = dir.appendingPathComponent("services.json")
                try Data("""
                    {"postgres": {"conninfo": "", "schema": "\(schema.name)", "password_credential": "pgpassword"},
                     "services": {
                       "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres"},
                       "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres"},
                       "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres", "options": \(options)},
                       "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}}}
                    """.utf8).write(to: config)

                let receiver = try DatagramReceiver(directory: dir)
                let (process, stderr) = try IngestProcessTests.start(["--config", config.path], environment: [
                    "RECIO_LOG_LEVEL": "trace", "NOTIFY_SOCKET": receiver.address, "CREDENTIALS_DIRECTORY": credentials.path,
                ])
                let notifications = Mutex<[String]>([])
                let collector = Task.detached {
                    while !Task.isCancelled {
                        if let text = receiver.receiveBlocking(timeout: .milliseconds(200)).map({ String(decoding: $0, as: UTF8.self) }) {
                            notifications.withLock { $0.append(text) }
                        }
                    }
                }
                // Run until the first cycle has stored fills (requests were signed and verified).
                let deadline = ContinuousClock.now.advanced(by: .seconds(60))
                var fills = 0
                while ContinuousClock.now < deadline && process.isRunning {
                    let exists = try await connection.query("SELECT to_regclass($1) IS NOT NULL", ["\(schema.quoted).kalshi_fills"])
                    if exists.scalar == "t" {
                        fills = Int(try await connection.query("SELECT count(*) FROM \(schema.quoted).kalshi_fills").scalar ?? "0") ?? 0
                        if fills > 0 { break }
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                let argv = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/cmdline", encoding: .utf8)) ?? ""
                kill(process.processIdentifier, SIGTERM)
                let (status, log) = await IngestProcessTests.finish(process, stderr)
                collector.cancel()
                let sent = notifications.withLock { $0 }

                #expect(status == 0, "\(log)")
                #expect(fills > 0, "no fill stored: the signed requests did not get through\n\(log)")
                #expect(sent.contains { $0.contains("READY=1") }, "\(sent)")
                #expect(!argv.isEmpty)
                #expect(log.split(separator: "\n").count >= 5, "not vacuous: the daemon logged at trace level")
                #expect(log.contains("PostgreSQL connected"), "\(log)")
                // The password, and every line of the key's body.
                let keyLines = keys.privatePEM.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") && $0.count >= 16 }
                #expect(!keyLines.isEmpty)
                for secret in [password] + keyLines {
                    #expect(!log.contains(secret), "a secret is in the log")
                    #expect(!sent.contains { $0.contains(secret) }, "a secret is in a notify datagram")
                    #expect(!argv.contains(secret), "a secret is in argv")
                }
                #expect(!log.contains("PRIVATE KEY"))
            }
    }
}
