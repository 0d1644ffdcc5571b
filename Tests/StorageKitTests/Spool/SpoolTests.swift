import Foundation
import Testing
@testable import StorageKit

/// The spool file format and its guarantees, on real files: order across reopen, segment
/// rotation and deletion, torn tails cut off at the checksum, the size limit, the folder lock.
@Suite(.timeLimit(.minutes(1))) struct SpoolTests {
    static func spool(_ dir: String, limit: Int64 = 1 << 30, segmentBytes: Int64 = 8 << 20) -> Spool {
        Spool(directory: dir + "/spool", limitBytes: limit, segmentBytes: segmentBytes, lockTimeout: .milliseconds(300), logger: quietLogger())
    }

    static func payload(_ i: Int) -> [UInt8] { Array("batch-\(i)-".utf8) + [UInt8](repeating: UInt8(i % 251), count: 40) }

    static func segments(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir + "/spool").filter { $0.hasSuffix(".seg") }.sorted()
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func framesComeBackInOrderAfterReopeningAndAreConsumedInOrder() async throws {
        try await withTemporaryPath { dir in
            let first = Self.spool(dir, segmentBytes: 200)  // a few frames a segment: rotation happens
            for i in 0..<20 { try await first.append(Self.payload(i), records: i + 1) }
            #expect(await first.recordCount == (1...20).reduce(0, +))
            #expect(try Self.segments(dir).count > 3)
            await first.close()

            let second = Self.spool(dir, segmentBytes: 200)
            try await second.open()
            #expect(await second.recordCount == (1...20).reduce(0, +))
            let head = try await second.peek(maxRecords: 6)  // frames of 1, 2, 3 records
            #expect(head.map(\.payload) == (0..<3).map(Self.payload))
            #expect(head.map(\.records) == [1, 2, 3])
            try await second.consume(frames: 3)
            let next = try await second.peek(maxRecords: 1)  // at least one frame, even if larger
            #expect(next.map(\.payload) == [Self.payload(3)])
            // Consumed segments are deleted as replay passes them.
            let before = try Self.segments(dir).count
            try await second.consume(frames: 10)
            #expect(try Self.segments(dir).count < before)
            try await second.consume(frames: 100)
            #expect(try await second.isEmpty())
            // Everything replayed: one empty segment is left.
            #expect(try Self.segments(dir).count == 1)
            #expect(await second.diskBytes == 0)
            let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/spool/" + Self.segments(dir)[0])
            #expect((attributes[.size] as? NSNumber)?.intValue == 0)
            await second.close()
        }
    }

    /// A crash mid-append leaves part of a frame: header only, half a payload, or bytes that do not
    /// match the checksum. Each is dropped with a warning and every earlier frame is kept.
    @Test(arguments: ["header", "payload", "bitflip"])
    func aTornLastRecordIsDroppedAndEveryEarlierOneKept(_ damage: String) async throws {
        try await withTemporaryPath { dir in
            let spool = Self.spool(dir)
            for i in 0..<5 { try await spool.append(Self.payload(i), records: 1) }
            await spool.close()
            let file = dir + "/spool/" + (try Self.segments(dir))[0]
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            let frameSize = SpoolFrame.headerSize + Self.payload(0).count
            #expect(bytes.count == 5 * frameSize)
            switch damage {
            case "header": bytes.removeLast(frameSize - 7)                  // 7 bytes of the last header survive
            case "payload": bytes.removeLast(10)                             // the last payload is short
            default: bytes[bytes.count - 3] ^= 0x40                          // one flipped bit in the last payload
            }
            try Data(bytes).write(to: URL(fileURLWithPath: file))

            let reopened = Self.spool(dir)
            try await reopened.open()
            #expect(await reopened.recordCount == 4)
            #expect(await reopened.tornFramesDropped == 1)
            #expect(try await reopened.peek(maxRecords: 100).map(\.payload) == (0..<4).map(Self.payload))
            // The torn tail is cut off on disk, and appending continues after the last good frame.
            #expect(await reopened.diskBytes == Int64(4 * frameSize))
            try await reopened.append(Self.payload(9), records: 1)
            #expect(try await reopened.peek(maxRecords: 100).map(\.payload) == (0..<4).map(Self.payload) + [Self.payload(9)])
            await reopened.close()
        }
    }

    @Test func theSizeLimitRefusesBatchesAndIsReportedUntilReplayMakesRoom() async throws {
        try await withTemporaryPath { dir in
            let frameSize = Int64(SpoolFrame.headerSize + Self.payload(0).count)
            let spool = Self.spool(dir, limit: 3 * frameSize)
            for i in 0..<3 { try await spool.append(Self.payload(i), records: 1) }
            await #expect(throws: SpoolError.self) { try await spool.append(Self.payload(3), records: 1) }
            do { try await spool.append(Self.payload(3), records: 1) } catch let error as SpoolError {
                #expect(error.code == .full)
                #expect(error.description.contains(dir + "/spool") && error.description.contains("spool_max_bytes"))
            }
            #expect(await spool.isFull)
            #expect(SpoolMonitor.shared.fullSpools.contains(dir + "/spool"))
            #expect(SpoolMonitor.shared.statusPart?.contains("SPOOL FULL") == true)
            #expect(await spool.recordCount == 3)  // the refused batches were not kept
            try await spool.consume(frames: 1)
            #expect(await spool.isFull == false)
            #expect(!SpoolMonitor.shared.fullSpools.contains(dir + "/spool"))
            await spool.close()
        }
    }

    @Test func aSecondSpoolOnTheSameFolderIsRefusedWhileTheFirstIsOpen() async throws {
        try await withTemporaryPath { dir in
            let first = Self.spool(dir)
            try await first.append(Self.payload(0), records: 1)
            let second = Self.spool(dir)
            do {
                try await second.open()
                Issue.record("a second spool opened a folder in use")
            } catch let error as SpoolError {
                #expect(error.code == .locked)
            }
            await first.close()
            let third = Self.spool(dir)
            #expect(await third.recordCount == 0)  // not opened yet
            #expect(try await third.isEmpty() == false)
            await third.close()
        }
    }

    @Test func recordsRoundTripThroughTheirSpoolBytes() throws {
        let legacy = LegacyPriceColumns(momentum: 0.5, delta1m: -1.25, delta2m: nil, delta3m: 3, delta4m: nil, delta15m: nil, delta30m: 1e-9)
        let ticks = [PriceTick(second: conformanceBase, price: USDCents(cents: 6_400_012), source: .coinbaseWebSocket, legacyColumns: legacy),
                     PriceTick(second: conformanceBase + 1, price: USDCents(cents: 1), source: PriceSource(rawValue: "a\nb \"c\""))]
        let codec = try #require(SpoolCodec<PriceTick>.forRecord)
        #expect(try codec.decode(codec.encode(ticks)) == ticks)
        let heartbeat = [Heartbeat(service: "btc_price_watchdog", second: conformanceBase, detail: "ok\nline")]
        let hcodec = try #require(SpoolCodec<Heartbeat>.forRecord)
        #expect(try hcodec.decode(hcodec.encode(heartbeat)) == heartbeat)
    }
}
