import FixtureServers
import Foundation
import NetworkKit
import Testing
import StorageKit
@testable import KalshiKit

/// The real `recio-replay-server` with `--kalshi-public-key` (what `scripts/run-local --replay` and
/// the migration rehearsal start) and the real `kalshi-historical-ingest --once` against it: the
/// whole replay history lands in PostgreSQL, unsigned account requests are refused, and the live
/// events the market watchdog polls are still served beside the history.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ReplayHistoryTests {
    static let replayData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources/replay")

    /// Starts the replay server on a free port; returns it and the port from its first line.
    static func startReplay(_ arguments: [String]) async throws -> (Process, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ProductProcess.path("recio-replay-server"))
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = await Task.detached { () -> String in
            var text = ""
            while !text.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            return text
        }.value
        guard let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(line[range].split(separator: ":")[1]) else {
            process.terminate()
            throw TestServiceManagerError(description: "recio-replay-server printed no port: \(line)")
        }
        return (process, port)
    }

    static func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPFetcher().get(URL(string: url)!, timeout: .seconds(10))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test func theIngestLoadsTheWholeReplayHistoryAndTheEventsStayServed() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let (replay, port) = try await Self.startReplay([Self.replayData.path, "0", "--kalshi-public-key", keys.publicKeyPath.path,
                                                             "--kalshi-key-id", IngestTestKeys.keyID])
            defer { replay.terminate(); replay.waitUntilExit() }
            let base = "http://127.0.0.1:\(port)/trade-api/v2"

            // Account endpoints need a signature, as Kalshi's do; the market watchdog's events remain.
            let (unsigned, _) = try await Self.get(base + "/portfolio/fills")
            #expect(unsigned == 401)
            let nextClose = (Int64(Date().timeIntervalSince1970) / 3600 + 1) * 3600
            let event = try ReplayDataset(directory: Self.replayData.path).kalshiEvent(closeEpoch: nextClose)
            let (eventStatus, eventBody) = try await Self.get(base + "/events/\(event.ticker)")
            #expect(eventStatus == 200)
            #expect(eventBody.contains(event.ticker))

            try await TestPostgres.withSchema(.nameOnly) { schema, conn in
                let config = dir.appendingPathComponent("services.json")
                let options = """
                    {"base_url": "\(base)", "series": ["KXBTCD"], "start_date": "2025-08-01", "key_id": "\(IngestTestKeys.keyID)",
                     "private_key_file": "\(keys.privateKeyPath.path)"}
                    """
                try IngestProcessTests.writeConfig(config, schema: schema.name, options: options)
                let result = try await ProductProcess.run("kalshi-historical-ingest", ["--once", "--config", config.path],
                                                          environment: ["RECIO_LOG_LEVEL": "error"])
                #expect(result.status == 0, "ingest: \(result.stderr)")
                let counts = try await HistoryTables.counts(conn, schema)
                #expect(counts == HistoryTables.expected(ReplayServer.historyDataset))
            }
        }
    }
}
