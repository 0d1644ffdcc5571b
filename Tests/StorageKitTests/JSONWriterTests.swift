import Foundation
import Testing
@testable import StorageKit

@Suite(.timeLimit(.minutes(1))) struct JSONWriterTests {
    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue
    }

    private func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func latestFileHasTheLegacyHeartbeatTextAndPermissions() async throws {
        try await withTemporaryPath { dir in
            let writer = try JSONWriter<Heartbeat>(options: .init(directory: dir, latest: true))
            let second = utc(2025, 8, 8, 20, 59, 1)  // 16:59:01 EDT
            try await writer.write([
                Heartbeat(service: "btc_price_watchdog", second: second - 1),
                Heartbeat(service: "kalshi_api_watchdog", second: second),
                Heartbeat(service: "btc_price_watchdog", second: second),  // the last of a file wins
            ])
            #expect(text(dir + "/btc_logger_heartbeat.txt") == "2025-08-08T16:59:01 BTC logger alive\n")
            #expect(text(dir + "/kalshi_logger_heartbeat.txt") == "2025-08-08T16:59:01-04:00 Kalshi logger alive\n")
            #expect(try mode(dir + "/btc_logger_heartbeat.txt") == 0o640)
            // No temporary files are left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
                    == ["btc_logger_heartbeat.txt", "kalshi_logger_heartbeat.txt"])
            #expect(writer.name == "json")
            try await writer.close()
            await #expect(throws: StorageError.self) { try await writer.write([Heartbeat(service: "x", second: second)]) }
        }
    }

    @Test func atomicFileReplacesContentsWhole() async throws {
        try await withTemporaryPath { dir in
            let path = dir + "/latest_market_snapshot.json"
            try AtomicFile.write(Data("{\"a\":1}\n".utf8), to: path, permissions: 0o600)
            try AtomicFile.write(Data("{\"b\":2}\n".utf8), to: path, permissions: 0o600)
            #expect(text(path) == "{\"b\":2}\n")
            #expect(try mode(path) == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["latest_market_snapshot.json"])
            #expect(throws: StorageError.self) { try AtomicFile.write(Data(), to: dir + "/missing/x.json") }
        }
    }

    @Test func archiveRoundTripsWithHourlyFilesAndNoDuplicates() async throws {
        try await withTemporaryPath { dir in
            let base = utc(2025, 11, 2, 5, 59, 58)
            let ticks = (0..<5).map { tick(base + Int64($0), 6_400_000 + Int64($0)) }
            let writer = try JSONWriter<PriceTick>(options: .init(directory: dir, archive: true))
            try await writer.write(Array(ticks.reversed()))
            try await writer.write(ticks)  // the same records again: nothing added
            try await writer.close()

            let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            #expect(names == ["price_ticks-20251102T05.jsonl", "price_ticks-20251102T06.jsonl"])
            #expect(try mode(dir + "/price_ticks-20251102T05.jsonl") == 0o640)
            #expect(text(dir + "/price_ticks-20251102T05.jsonl")?.split(separator: "\n").count == 2)

            let reader = try JSONArchiveReader<PriceTick>(directory: dir)
            let all = try await reader.read()
            #expect(all.records == ticks)
            #expect(all.rejected.isEmpty)
            let some = try await reader.read(from: base + 1, to: base + 3)
            #expect(some.records == Array(ticks[1..<3]))

            // A new writer (after a restart) loads the keys and still adds nothing.
            let again = try JSONWriter<PriceTick>(options: .init(directory: dir, archive: true))
            try await again.write(ticks + [tick(base + 10, 1)])
            try await again.close()
            #expect(try await reader.read().records == ticks + [tick(base + 10, 1)])
        }
    }

    @Test func replayIntoAnHourWhoseFileWasClosedAddsNothing() async throws {
        try await withTemporaryPath { dir in
            // Three hours in order: only the two newest hour files stay open (with their keys).
            let hours = (0..<3).map { h in (0..<3).map { tick(utc(2025, 11, 25, 10 + h) + Int64($0), 100 + Int64($0)) } }
            let writer = try JSONWriter<PriceTick>(options: .init(directory: dir, archive: true))
            for hour in hours { try await writer.write(hour) }
            // A replay into the first (closed) hour: its keys are read back from its file.
            let extra = tick(utc(2025, 11, 25, 10) + 30, 999)
            try await writer.write(hours[0] + [extra])
            try await writer.write(hours[2])
            try await writer.close()
            let lines = text(dir + "/price_ticks-20251125T10.jsonl")?.split(separator: "\n") ?? []
            #expect(lines.count == 4)
            let all = try await JSONArchiveReader<PriceTick>(directory: dir).read()
            #expect(all.records.count == 10)
            #expect(Set(all.records.map(\.second)).count == 10)
        }
    }

    @Test func archiveKeySetKeepsEveryDistinctKey() {
        // 5,000 seconds of market-snapshot keys (second|ticker, 40 markets) across two UTC hours:
        // every one is found, keys never inserted are not, and the set holds one bitmap per market
        // and hour, not one entry per key.
        var keys = ArchiveKeySet()
        let base: Int64 = 1_764_000_000  // a UTC hour's start
        func key(_ s: Int64, _ m: Int) -> String { "\(base + s)|KXBTCD-25NOV2517-T\(90_000 + m * 250)" }
        for s in Int64(0)..<5_000 { for m in 0..<40 { keys.insert(key(s, m), second: base + s) } }
        #expect(keys.count == 200_000)
        #expect(keys.storedEntries.bitmaps == 80 && keys.storedEntries.wholeKeys == 0)
        #expect(keys.contains(key(4_999, 39), second: base + 4_999))
        #expect(keys.contains(key(0, 0), second: base) && keys.contains(key(3_599, 7), second: base + 3_599) && keys.contains(key(3_600, 7), second: base + 3_600))
        #expect(!keys.contains(key(5_000, 0), second: base + 5_000))
        #expect(!keys.contains("\(base)|KXBTCD-25NOV2517-T90001", second: base))
        #expect(!keys.contains(key(3_600, 0), second: base + 3_600 - 3_600 * 24))  // the same text, another hour
        // Inserting again adds nothing.
        keys.insert(key(10, 3), second: base + 10)
        #expect(keys.count == 200_000)

        // Other key shapes: the second last (heartbeats), twice in the key (the first one is cut), and a
        // key without its second, kept whole.
        var other = ArchiveKeySet()
        other.insert("kalshi_api_watchdog|\(base)", second: base)
        other.insert("\(base)|T\(base)", second: base)
        other.insert("no-second-here", second: base)
        #expect(other.count == 3 && other.storedEntries.bitmaps == 2 && other.storedEntries.wholeKeys == 1)
        #expect(other.contains("kalshi_api_watchdog|\(base)", second: base))
        #expect(!other.contains("kalshi_api_watchdog|\(base + 1)", second: base + 1))
        #expect(other.contains("\(base)|T\(base)", second: base))
        #expect(!other.contains("\(base)|T\(base + 1)", second: base))
        #expect(other.contains("no-second-here", second: base) && other.contains("no-second-here", second: base + 1))  // the key alone decides
    }

    @Test func tornTailIsCutOffAndUndecodableLinesAreReported() async throws {
        try await withTemporaryPath { dir in
            let base = utc(2025, 11, 25, 15)
            let writer = try JSONWriter<PriceTick>(options: .init(directory: dir, archive: true))
            try await writer.write([tick(base, 100), tick(base + 1, 200)])
            try await writer.close()
            let file = dir + "/price_ticks-20251125T15.jsonl"

            // A crash mid-append leaves half a line.
            let handle = try #require(FileHandle(forWritingAtPath: file))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("{\"price\":\"3.00\",\"sec".utf8))
            try handle.close()
            let reader = try JSONArchiveReader<PriceTick>(directory: dir)
            #expect(try await reader.read().rejected.map(\.description) == ["price_ticks-20251125T15.jsonl:3: torn last line (no newline)"])

            let repaired = try JSONWriter<PriceTick>(options: .init(directory: dir, archive: true))
            try await repaired.write([tick(base + 2, 300)])
            try await repaired.close()
            let result = try await reader.read()
            #expect(result.records == [tick(base, 100), tick(base + 1, 200), tick(base + 2, 300)])
            #expect(result.rejected.isEmpty)
            #expect(text(file)?.hasSuffix("}\n") == true)

            // A garbage line in the middle is reported with file:line, not thrown.
            let lines = text(file)!.split(separator: "\n")
            let withGarbage = ([lines[0], "not json"] + lines[1...]).joined(separator: "\n") + "\n"
            try Data(withGarbage.utf8).write(to: URL(fileURLWithPath: file))
            let mixed = try await reader.read()
            #expect(mixed.records.count == 3)
            #expect(mixed.rejected.map { "\($0.file):\($0.line)" } == ["price_ticks-20251125T15.jsonl:2"])
        }
    }

    @Test func unsupportedModesAndRelativeFoldersAreRejected() throws {
        #expect(throws: StorageError.self) { try JSONWriter<PriceTick>(options: .init(directory: "/tmp", latest: true)) }
        #expect(throws: StorageError.self) { try JSONWriter<PriceTick>(options: .init(directory: "/tmp")) }
        #expect(throws: StorageError.self) { try JSONWriter<PriceTick>(options: .init(directory: "relative", archive: true)) }
        #expect(JSONWriter<PriceTick>.archiveFileName(stream: "price_ticks", epochSeconds: utc(2025, 1, 2, 3, 4, 5))
                == "price_ticks-20250102T03.jsonl")
    }
}
