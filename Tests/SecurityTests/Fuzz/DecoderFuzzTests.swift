import Foundation
import KalshiKit
import Migration
import PriceFeed
import ServiceKit
import StorageKit
import Testing

/// Bad input for every decoder of outside data: many mutated inputs from the seed corpus
/// (`Fuzz/Corpus/`), `RECIO_FUZZ_ITERATIONS` each (400 in CI). For every input the decoder either
/// succeeds with a value that satisfies its invariants or throws its own typed error with a
/// message; it never traps, and the time limit catches a hang.
@Suite(.timeLimit(.minutes(3))) struct DecoderFuzzTests {
    /// Runs `body` on each generated input; a failure names the seed and iteration.
    static func fuzz(_ target: String, _ body: ([UInt8]) throws -> Void) throws {
        var inputs = FuzzInputs(seeds: try FuzzInputs.corpus(target))
        for iteration in 0..<FuzzInputs.iterations {
            let input = inputs.input()
            do {
                try body(input)
            } catch {
                Issue.record("\(target) seed \(FuzzInputs.seed) iteration \(iteration): \(error)\ninput: \(String(decoding: input.prefix(300), as: UTF8.self))")
            }
        }
    }

    /// A typed error with a message, or a test failure naming what came out instead.
    struct UntypedError: Error, CustomStringConvertible {
        var description: String
    }

    @Test func orderedJSONRoundTripsOrThrowsItsError() throws {
        let seeds = try FuzzInputs.corpus("kalshi-event") + FuzzInputs.corpus("coinbase") + FuzzInputs.corpus("services-config")
        var inputs = FuzzInputs(seeds: seeds)
        for iteration in 0..<FuzzInputs.iterations * 2 {
            let input = inputs.input()
            do {
                let value = try OrderedJSON.parse(input)
                // What parses prints back to text that parses to the same value.
                #expect(try OrderedJSON.parse(Array(value.compactText.utf8)) == value, "iteration \(iteration)")
                #expect(try OrderedJSON.parse(Array(value.indentedText().utf8)) == value, "iteration \(iteration)")
            } catch {
                // Typed throws: only an OrderedJSONError can arrive here.
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test func coinbaseMessages() throws {
        try Self.fuzz("coinbase") { input in
            // The ticker fast path (from the frame's bytes) and the general decoder agree on every
            // input: the same message, or the same error.
            let fast = Result { try input.withUnsafeBytes { try CoinbaseMessage.decode(utf8: $0) } }
            let general = Result { try CoinbaseMessage.decodeGeneral(utf8: input) }
            #expect(String(describing: fast) == String(describing: general))
            let text = String(decoding: input, as: UTF8.self)
            do {
                if case .ticker(let ticker) = try CoinbaseMessage.decode(text) {
                    #expect(ticker.price.cents > 0)
                    #expect(ticker.productId == "BTC-USD")
                }
            } catch let error as PriceFeedError {
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test func kalshiEventResponses() throws {
        try Self.fuzz("kalshi-event") { input in
            let document: OrderedJSON
            do {
                document = try OrderedJSON.parse(input)
            } catch {
                return  // the client reports unparsable bodies itself (covered by the JSON target)
            }
            do {
                let event = try EventSnapshot.decode(document, second: 1_780_000_000, request: "GET /events/fuzz")
                for market in event.markets {
                    // Every accepted market is storable: the writers will not refuse the batch.
                    try market.validate()
                }
                for invalid in event.invalidMarkets { #expect(!invalid.reason.isEmpty) }
            } catch let error as KalshiAPIError {
                #expect(error.description.contains("GET /events/fuzz"), "\(error)")
            }
        }
    }

    @Test func servicesConfig() throws {
        try Self.fuzz("services-config") { input in
            do {
                _ = try ServicesConfig.parse(Data(input), file: "/etc/recio/services.json")
            } catch let error as ConfigError {
                #expect(error.description.hasPrefix("/etc/recio/services.json: $"), "\(error)")
            } catch {
                throw UntypedError(description: "not a ConfigError: \(type(of: error)) \(error)")
            }
        }
    }

    @Test func jsonArchiveFiles() async throws {
        try await withTemporaryDirectory { dir in
            // Seeds: the corpus plus lines the real writer produced.
            let writer = try JSONWriter<MarketSnapshot>(options: .init(directory: dir.path, archive: true), logger: quietLogger())
            try await writer.write([Self.snapshot(second: 1_780_000_000), Self.snapshot(second: 1_780_000_001)])
            try await writer.close()
            let written = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jsonl") }
            let name = try #require(written.first)
            let seeds = try FuzzInputs.corpus("json-archive") + [Array(try Data(contentsOf: dir.appendingPathComponent(name)))]
            var inputs = FuzzInputs(seeds: seeds)
            let reader = try JSONArchiveReader<MarketSnapshot>(directory: dir.path)
            for iteration in 0..<FuzzInputs.iterations / 2 {
                let input = inputs.input()
                try Data(input).write(to: dir.appendingPathComponent(name))
                do {
                    let result = try await reader.read()
                    let lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
                    #expect(result.records.count + result.rejected.count <= lines, "iteration \(iteration)")
                    for rejected in result.rejected { #expect(rejected.file == name && !rejected.reason.isEmpty) }
                    for record in result.records { try record.validate() }
                } catch let error as StorageError {
                    #expect(error.description.contains(dir.path) || error.description.contains(name), "iteration \(iteration): \(error)")
                }
            }
        }
    }

    /// Legacy SQLite files with random page damage: every read either works or throws a typed
    /// error naming the file.
    @Test func damagedLegacySQLiteFiles() async throws {
        try await withTemporaryDirectory { dir in
            let pristine = dir.appendingPathComponent("pristine.db").path
            let writer = try SQLiteWriter<PriceTick>(path: pristine, logger: quietLogger())
            let start: Int64 = 1_780_000_000
            for chunk in 0..<6 {
                try await writer.write((0..<500).map { i in
                    PriceTick(second: start + Int64(chunk * 500 + i), price: USDCents(cents: 10_000_000 + Int64(i)), source: .coinbaseWebSocket)
                })
            }
            try await writer.close()
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: pristine)))
            let pageSize = 4096
            var random = FuzzInputs(seeds: [original])
            for iteration in 0..<max(20, FuzzInputs.iterations / 10) {
                var bytes = original
                for _ in 0...random.below(6) {
                    let page = random.below(bytes.count / pageSize)
                    let offset = page * pageSize + random.below(pageSize)
                    for k in 0..<(1 + random.below(64)) where offset + k < bytes.count {
                        bytes[offset + k] = UInt8(truncatingIfNeeded: random.next())
                    }
                }
                if random.below(8) == 0 { bytes.removeLast(random.below(bytes.count)) }
                let path = dir.appendingPathComponent("damaged-\(iteration).db").path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
                do {
                    let reader = try await SQLitePriceHistoryReader(path: path)
                    defer { Task { await reader.close() } }
                    let read = try await reader.ticksWithRejections(from: start - 10, to: start + 4000)
                    #expect(read.records.count <= 3000)
                    _ = try await reader.latestWithRejections()
                } catch {
                    try Self.expectTyped(error, naming: path, iteration)
                }
                do {
                    let legacy = try await LegacyPriceLogFile(path: path)
                    if let span = try await legacy.span() {
                        _ = try await legacy.scan(from: span.first, to: min(span.last + 1, span.first + 86_400), origin: span.first, step: 3600)
                    }
                    _ = try await legacy.textKeyRows(after: nil, limit: 100)
                    await legacy.close()
                } catch {
                    try Self.expectTyped(error, naming: path, iteration)
                }
            }
        }
    }

    static func expectTyped(_ error: any Error, naming path: String, _ iteration: Int) throws {
        switch error {
        case is SQLiteError, is StorageError, is MigrationError:
            #expect(String(describing: error).contains(path), "iteration \(iteration): \(error)")
        default:
            throw UntypedError(description: "iteration \(iteration): \(type(of: error)) \(error)")
        }
    }

    static func snapshot(second: Int64) -> MarketSnapshot {
        MarketSnapshot(
            second: second, eventTicker: "KXBTCD-26MAY2815", marketTicker: "KXBTCD-26MAY2815-T104249.99", status: "active",
            yesBid: DollarAmount(cents: 12), yesAsk: DollarAmount(cents: 13), noBid: DollarAmount(cents: 87), noAsk: DollarAmount(cents: 88),
            lastPrice: DollarAmount(cents: 12), volume: ContractCount(contracts: 10), volume24h: nil, openInterest: ContractCount(contracts: 5),
            openTime: 1_779_996_400, closeTime: 1_780_000_000, strikeType: "greater", floorStrike: "104249.99", capStrike: nil,
            rawJSON: #"{"ticker":"KXBTCD-26MAY2815-T104249.99"}"#)
    }
}

/// Regressions found by the fuzz pass.
@Suite struct FuzzRegressionTests {
    /// An archive line that decodes but breaks the record's rules (here a strike that is not a
    /// number) is a rejected line with its number, not a record that makes a writer refuse its batch.
    @Test func archiveLineThatDecodesButIsInvalidIsRejectedWithItsLine() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JSONWriter<MarketSnapshot>(options: .init(directory: dir.path, archive: true), logger: quietLogger())
            try await writer.write([DecoderFuzzTests.snapshot(second: 1_780_000_000), DecoderFuzzTests.snapshot(second: 1_780_000_001)])
            try await writer.close()
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasSuffix(".jsonl") })
            let url = dir.appendingPathComponent(name)
            let text = try String(contentsOf: url, encoding: .utf8)
            var lines = text.split(separator: "\n").map(String.init)
            lines[1] = lines[1].replacingOccurrences(of: #""104249.99""#, with: #""\\""#)
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            let result = try await JSONArchiveReader<MarketSnapshot>(directory: dir.path).read()
            #expect(result.records.map(\.second) == [1_780_000_000])
            #expect(result.rejected.count == 1)
            #expect(result.rejected.first?.line == 2)
            #expect(result.rejected.first?.reason.contains("floor_strike") == true, "\(result.rejected)")
        }
    }
}
