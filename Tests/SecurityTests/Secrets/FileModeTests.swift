import Foundation
import StorageKit
import Testing

/// The stores the daemons write create their files 0640 at most whatever the umask: the legacy
/// SQLite file with its `-wal`/`-shm` companions, and the JSON latest and archive files.
@Suite(.serialized, .timeLimit(.minutes(1))) struct FileModeTests {
    static func mode(_ path: String) throws -> Int {
        try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test func sqliteFileAndCompanionsAre0640UnderAPermissiveUmask() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("btc_price_history.db").path
            let previous = umask(0o002)
            defer { umask(previous) }
            let writer = try SQLiteWriter<PriceTick>(path: path, logger: quietLogger())
            try await writer.write([PriceTick(second: 1_780_000_000, price: USDCents(cents: 100), source: .coinbaseWebSocket)])
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                let mode = try Self.mode(file)
                #expect(mode == 0o640, "\(file): \(String(mode, radix: 8))")
            }
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            try await writer.close()
        }
    }

    @Test func existingSQLiteFileKeepsItsMode() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("legacy.db").path
            let first = try SQLiteWriter<PriceTick>(path: path, logger: quietLogger())
            try await first.write([PriceTick(second: 1_780_000_000, price: USDCents(cents: 100), source: .coinbaseWebSocket)])
            try await first.close()
            chmod(path, 0o600)
            let second = try SQLiteWriter<PriceTick>(path: path, logger: quietLogger())
            try await second.write([PriceTick(second: 1_780_000_001, price: USDCents(cents: 101), source: .coinbaseWebSocket)])
            try await second.close()
            #expect(try Self.mode(path) == 0o600)
        }
    }

    @Test func jsonFilesAre0640UnderAPermissiveUmask() async throws {
        try await withTemporaryDirectory { dir in
            let previous = umask(0)
            defer { umask(previous) }
            let writer = try JSONWriter<MarketSnapshot>(options: .init(directory: dir.path, archive: true), logger: quietLogger())
            let snapshot = MarketSnapshot(
                second: 1_780_000_000, eventTicker: "E", marketTicker: "M", status: "active",
                yesBid: DollarAmount(cents: 1), yesAsk: DollarAmount(cents: 2), noBid: DollarAmount(cents: 3), noAsk: DollarAmount(cents: 4),
                lastPrice: DollarAmount(cents: 1), volume: ContractCount(contracts: 1), volume24h: nil, openInterest: ContractCount(contracts: 1),
                openTime: 1_779_996_400, closeTime: 1_780_000_000, strikeType: nil, floorStrike: nil, capStrike: nil, rawJSON: "{}")
            try await writer.write([snapshot])
            try await writer.close()
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(!names.isEmpty)
            for name in names {
                #expect(try Self.mode(dir.appendingPathComponent(name).path) == 0o640, "\(name)")
            }
        }
    }
}
