import Foundation
import Testing
@testable import Migration
import ServiceKit
import StorageKit

/// `recioctl backup`, `archive` and `archive --restore` on real files: legacy SQLite files built the
/// way the legacy watchdog left them, JSON/text files, the zstd tool, `/proc`, real writer processes.
@Suite("backup, archive and restore of legacy files", .timeLimit(.minutes(5)))
struct ArchiveTests {
    /// Builds a legacy folder: the price database, the Kalshi latest file, a heartbeat and an archive
    /// export file. Returns the original bytes by file name.
    static func makeLegacyFolder(_ folder: URL) throws -> (fixture: LegacyFixture, originals: [String: Data]) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fixture = try LegacyFixture(path: folder.appendingPathComponent("btc_price_history.db").path)
        let files: [String: String] = [
            "latest_market_snapshot.json": "{\n  \"event\": {\"event_ticker\": \"KXBTCD-25AUG0817\"},\n  \"markets\": [],\n  \"title\": \"Bitcoin price\"\n}\n",
            "btc_logger_heartbeat.txt": "2025-08-08T16:59:59 BTC logger alive\n",
            "market_snapshots-20250808T20.jsonl": "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let originals = try contents(folder)
        #expect(originals.count == 4)
        return (fixture, originals)
    }

    static func config(_ dir: URL, legacyDir: URL?) throws -> ServicesConfig {
        let url = dir.appendingPathComponent("services.json")
        try writeServicesConfig(at: url, schema: "user_0001", legacyDir: legacyDir)
        return try ServicesConfig.load(path: url.path)
    }

    /// The dataset files of a folder and their bytes (SQLite's `-wal`/`-shm` left by readers are not datasets).
    static func contents(_ folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where LegacyFile.isDatasetName(name) {
            out[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return out
    }

    /// A product of this package beside the test bundle.
    static func product(_ name: String) throws -> URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        try #require(Bool(false), "\(name) not found near \(Bundle.main.bundleURL.path); run swift build --build-tests first")
        return folder
    }

    @Test func sha256MatchesTheFIPSVectorsAndSha256sum() async throws {
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // One million "a", fed in uneven pieces (exercises the partial-block path).
        var hasher = SHA256()
        let a = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        var offset = 0
        for size in [1, 63, 64, 65, 127, 1000, 4096] + Array(repeating: 10_000, count: 99) where offset < a.count {
            let end = min(a.count, offset + size)
            hasher.update(a[offset..<end])
            offset = end
        }
        hasher.update(a[offset...])
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")

        // A file of every padding length, against the coreutils tool.
        try await withTemporaryDirectory { dir in
            for length in [55, 56, 63, 64, 119, 120, 3_000_001] {
                let url = dir.appendingPathComponent("f\(length)")
                try Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: url)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
                process.arguments = [url.path]
                let pipe = Pipe()
                process.standardOutput = pipe
                try process.run()
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                let digest = try SHA256.file(url.path)
                #expect(digest.hex == String(output.prefix(64)), "length \(length)")
                #expect(digest.size == Int64(length))
            }
        }
    }

    @Test func openFileScannerFindsThisProcess() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("held.db").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
            #expect(OpenFileScanner.scan([path]).holders.isEmpty)
            let handle = try #require(FileHandle(forReadingAtPath: path))
            let holders = OpenFileScanner.scan([path]).holders
            #expect(holders.contains { $0.pid == getpid() && $0.path == path && $0.how == "fd" }, "\(holders)")
            try handle.close()
            #expect(OpenFileScanner.scan([path]).holders.isEmpty)
        }
    }

    /// Archive a legacy folder, see it removed, restore it: every file byte-identical.
    @Test func archiveRoundTripRestoresByteIdenticalFiles() async throws {
        try await withTemporaryDirectory { dir in
            let legacy = dir.appendingPathComponent("legacy")
            let (fixture, originals) = try Self.makeLegacyFolder(legacy)
            // Old modification times, so a restore that set "now" would show.
            for name in originals.keys {
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_754_683_200)],
                                                      ofItemAtPath: legacy.appendingPathComponent(name).path)
            }
            let config = try Self.config(dir, legacyDir: nil)
            let dest = dir.appendingPathComponent("archive").path

            let dry = try await LegacyArchiver(options: .init(config: config, paths: [legacy.path], destination: dest, dryRun: true)).run()
            #expect(dry.outcome == .dryRun)
            #expect(dry.plan.count == 4)
            #expect(dry.plan.allSatisfy { $0.refusals.isEmpty }, "\(dry.plan.map(\.refusals))")
            #expect(try Self.contents(legacy) == originals, "a dry run changes nothing")
            #expect(!FileManager.default.fileExists(atPath: dest))

            let report = try await LegacyArchiver(options: .init(config: config, paths: [legacy.path], destination: dest)).run()
            #expect(report.outcome == .archived)
            let manifestPath = try #require(report.manifestPath)
            let manifest = try BundleManifest.load(path: manifestPath)
            #expect(manifest == report.manifest)
            #expect(manifest.kind == .archive)
            #expect(manifest.entries.count == 4)
            for entry in manifest.entries {
                let name = (entry.path as NSString).lastPathComponent
                let original = try #require(originals[name])
                #expect(entry.sha256 == SHA256.hex(original), "\(name)")
                #expect(entry.originalSHA256 == entry.sha256, "\(name): quiescent files are copied byte for byte")
                #expect(entry.size == Int64(original.count))
                #expect(entry.verified)
                let archived = try SHA256.file((manifestPath as NSString).deletingLastPathComponent + "/" + entry.archive)
                #expect(archived.hex == entry.archiveSHA256)
            }
            let database = try #require(manifest.entries.first { $0.kind == .sqlite })
            #expect(database.rows == ["price_log": fixture.rowsInFile])
            #expect(database.integrityCheck == "ok")
            #expect(database.method == .fileCopy)
            #expect(manifest.entries.first { $0.kind == .jsonLines }?.rows == ["lines": 3])
            #expect(manifest.entries.first { $0.kind == .json }?.validJSON == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: legacy.path).isEmpty, "archived files leave the runtime path")

            let restored = try await BundleRestorer(options: .init(manifest: manifestPath)).run()
            #expect(restored.map(\.outcome) == Array(repeating: .restored, count: 4))
            #expect(try Self.contents(legacy) == originals, "restored byte-identical")
            for entry in manifest.entries {
                let modified = try #require(FileManager.default.attributesOfItem(atPath: entry.path)[.modificationDate] as? Date)
                #expect(UTCTime.iso8601(epochSeconds: Int64(modified.timeIntervalSince1970)) == entry.modified,
                        "\(entry.path): the original's modification second is back (a latest snapshot file is dated by it)")
            }
            let again = try await BundleRestorer(options: .init(manifest: manifestPath)).run()
            #expect(again.allSatisfy { $0.outcome == .alreadyPresent })

            // A different file in the way: refused without --force, nothing written; replaced with it.
            let heartbeat = legacy.appendingPathComponent("btc_logger_heartbeat.txt")
            try Data("changed\n".utf8).write(to: heartbeat)
            await #expect(throws: MigrationError.self) { try await BundleRestorer(options: .init(manifest: manifestPath)).run() }
            #expect(try Data(contentsOf: heartbeat) == Data("changed\n".utf8))
            let forced = try await BundleRestorer(options: .init(manifest: manifestPath, force: true)).run()
            #expect(forced.filter { $0.outcome == .replaced }.map { ($0.path as NSString).lastPathComponent } == ["btc_logger_heartbeat.txt"])
            #expect(try Self.contents(legacy) == originals)
        }
    }

    /// A file a writer still holds open (a real sqlite3 process inside a write transaction), or one
    /// the config still names, is refused with the reason, and nothing is archived or removed.
    @Test func archiveIsRefusedWhileAWriterHoldsTheFile() async throws {
        try await withTemporaryDirectory { dir in
            let legacy = dir.appendingPathComponent("legacy")
            let (_, originals) = try Self.makeLegacyFolder(legacy)
            let database = legacy.appendingPathComponent("btc_price_history.db").path
            let dest = dir.appendingPathComponent("archive").path

            // Still named by the config (the dual-write stage).
            let dual = try Self.config(dir, legacyDir: legacy)
            let named = try await LegacyArchiver(options: .init(config: dual, paths: [legacy.path], destination: dest)).run()
            #expect(named.outcome == .refused)
            let reasons = named.plan.flatMap(\.refusals).joined(separator: "\n")
            #expect(reasons.contains("btc_price_watchdog still writes it"), "\(reasons)")
            #expect(reasons.contains("live_data_analysis still reads it"), "\(reasons)")
            #expect(reasons.contains("kalshi_api_watchdog still writes JSON files"), "\(reasons)")

            // Held open by a writer process.
            let configPath = dir.appendingPathComponent("services.json").path
            try writeServicesConfig(at: URL(fileURLWithPath: configPath), schema: "user_0001", legacyDir: nil)
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            writer.arguments = [database]
            let input = Pipe(), output = Pipe()
            writer.standardInput = input
            writer.standardOutput = output
            writer.standardError = FileHandle.nullDevice
            try writer.run()
            defer { if writer.isRunning { kill(writer.processIdentifier, SIGKILL) } }
            input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\nINSERT INTO price_log (timestamp, price) VALUES ('2030-01-01T00:00:00', 1.0);\nSELECT 'ready';\n".utf8))
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("ready") {
                let chunk = output.fileHandleForReading.availableData
                try #require(!chunk.isEmpty, "sqlite3 ended early")
                seen += chunk
            }
            let refused = try await RecioCtlCommandTests.run(["archive", "--config", configPath, "--dest", dest, legacy.path])
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stdout.contains("REFUSED: still open: process \(writer.processIdentifier) (sqlite3) holds \(database)"), "\(refused.stdout)")
            #expect(refused.stdout.contains("nothing archived or removed"))
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: dest)) ?? []).isEmpty, "no bundle is written when refused")
            #expect(FileManager.default.fileExists(atPath: database))

            // The writer rolls back and exits: now the archive goes through.
            input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
            try input.fileHandleForWriting.close()
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)
            #expect(try Self.contents(legacy) == originals, "the writer's rolled-back transaction left the files as they were")
            let done = try await RecioCtlCommandTests.run(["archive", "--config", configPath, "--dest", dest, "--quiet", legacy.path])
            #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
            #expect(done.stdout.contains("removed from the runtime path: 4 file(s)"), "\(done.stdout)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: legacy.path).isEmpty)
        }
    }

    /// `recioctl backup` of the price database while a daemon keeps writing it through the real
    /// SQLite writer: the copy passes the integrity check and holds exactly the rows committed at
    /// its snapshot (a gap-free prefix of the ticks, the count the manifest states), each equal to
    /// the source's row. The source keeps growing: nothing was removed or blocked.
    @Test func backupWhileTheWatchdogWritesIsConsistent() async throws {
        try await withTemporaryDirectory { dir in
            let db = dir.appendingPathComponent("btc_price_history.db").path
            let configPath = dir.appendingPathComponent("services.json").path
            let config = """
                {"postgres": {"conninfo": "", "schema": "user_0001"},
                 "services": {
                   "btc_price_watchdog": {"writers": ["sqlite"], "primary": "sqlite", "sqlite_path": "\(db)"},
                   "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres"},
                   "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres"},
                   "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}}}
                """
            try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))
            // Recent ticks (the legacy layout trims rows older than 30 days).
            let start = Int64(Date().timeIntervalSince1970) / 60 * 60 - 7200
            let daemon = Process()
            daemon.executableURL = try Self.product("RecioTestDaemon")
            daemon.arguments = ["--config", configPath]
            var environment = ProcessInfo.processInfo.environment
            environment["JOURNAL_STREAM"] = nil
            environment["NOTIFY_SOCKET"] = nil
            environment["RECIO_TEST_START"] = String(start)
            environment["RECIO_TEST_BATCH"] = "25"
            environment["RECIO_TEST_INTERVAL_MS"] = "5"
            daemon.environment = environment
            daemon.standardError = FileHandle.nullDevice
            daemon.standardOutput = FileHandle.nullDevice
            try daemon.run()
            defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

            func sourceRows() throws -> [String: Double] {
                guard FileManager.default.fileExists(atPath: db) else { return [:] }
                let connection = try SQLiteConnection(path: db, options: .init(readOnly: true))
                defer { connection.close() }
                var rows: [String: Double] = [:]
                for row in try connection.query("SELECT timestamp, price FROM price_log", []) { rows[row[0].text ?? ""] = row[1].double }
                return rows
            }
            var waited = 0
            while (try? sourceRows().count) ?? 0 < 2000 {
                try #require(daemon.isRunning, "the writer daemon exited early")
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
                try #require(waited < 1200, "the daemon wrote too little")
            }

            let dest = dir.appendingPathComponent("backups").path
            let result = try await RecioCtlCommandTests.run(["backup", "--config", configPath, "--dest", dest, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(result.stdout.utf8))
            #expect(manifest.kind == .backup)
            let entry = try #require(manifest.entries.first)
            #expect(manifest.entries.count == 1)
            #expect(entry.path == db)
            #expect(entry.method == .sqliteVacuumInto)
            #expect(entry.integrityCheck == "ok")
            let counted = try #require(entry.rows?["price_log"])
            #expect(counted >= 2000)

            // Restore the copy into a scratch folder and read it back.
            let listed = try await RecioCtlCommandTests.run(["backup", "--list", "--dest", dest])
            #expect(listed.status == 0)
            #expect(listed.stdout.contains("verified"), "\(listed.stdout)")
            let bundle = try #require(try BundleFolder.list(destination: dest).first)
            let scratch = dir.appendingPathComponent("scratch")
            _ = try await BundleRestorer(options: .init(manifest: bundle.manifest, targetDirectory: scratch.path)).run()
            let copy = try SQLiteConnection(path: scratch.appendingPathComponent("btc_price_history.db").path, options: .init(readOnly: true))
            #expect(try copy.query("PRAGMA integrity_check", []).first?.first?.text == "ok")
            var copied: [String: Double] = [:]
            for row in try copy.query("SELECT timestamp, price FROM price_log", []) { copied[row[0].text ?? ""] = row[1].double }
            copy.close()
            #expect(copied.count == counted, "the manifest's row count is the copy's")
            let seconds = copied.keys.compactMap { key -> Int64? in
                if case .unique(let t) = NewYorkTime.resolve(legacyText: key) { return t }
                return nil
            }.sorted()
            #expect(seconds.count == counted)
            #expect(seconds.first == start)
            #expect(seconds.last == start + Int64(counted) - 1, "a gap-free prefix: the copy is one committed state of the file")

            // The daemon kept writing; afterwards every copied row is in the source, unchanged.
            while (try sourceRows().count) <= counted + 100 { try await Task.sleep(for: .milliseconds(50)) }
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
            #expect(daemon.terminationStatus == 0)
            let final = try sourceRows()
            #expect(final.count > counted)
            #expect(copied.allSatisfy { final[$0.key] == $0.value })
        }
    }
}
