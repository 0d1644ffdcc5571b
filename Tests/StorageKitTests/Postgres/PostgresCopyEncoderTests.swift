import Testing
@testable import StorageKit

/// The typed COPY fast path (`PostgresMapping.encodeCopy`) must send exactly the bytes the
/// generic path (`encode`'s strings, escaped) would: the server reads the same rows either way.
@Suite struct PostgresCopyEncoderTests {
    static func generic<R>(_ records: [R], _ mapping: PostgresMapping<R>) throws -> [UInt8] {
        var encoder = PostgresCopyEncoder(capacity: 0)
        for r in records { try encoder.append(mapping.encode(r)) }
        return encoder.bytes
    }

    static func fast<R>(_ records: [R], _ mapping: PostgresMapping<R>) throws -> [UInt8] {
        var encoder = PostgresCopyEncoder(capacity: 0)
        for r in records { try mapping.appendCopyRow(r, to: &encoder) }
        return encoder.bytes
    }

    @Test func priceTickFastPathMatchesTheGenericEncoding() throws {
        let mapping = try #require(PriceTick.postgres)
        #expect(mapping.encodeCopy != nil)
        let seconds: [Int64] = [946_684_801, 951_782_400, 1_730_524_800, 1_735_707_599, 1_780_271_400, 4_102_444_799]
        let cents: [Int64] = [1, 9, 10, 99, 100, 101, 6_412_345, 100_000_000, 999_999_999_999]
        var ticks: [PriceTick] = []
        for (i, s) in seconds.enumerated() {
            for c in cents {
                ticks.append(PriceTick(second: s + Int64(i), price: USDCents(cents: c), source: .coinbaseWebSocket))
            }
        }
        // A source that needs escaping goes through the escaping field writer.
        ticks.append(PriceTick(second: 1_780_271_400, price: USDCents(cents: 5), source: PriceSource(rawValue: "odd\tsource\\\n")))
        let fast = try Self.fast(ticks, mapping)
        #expect(fast == (try Self.generic(ticks, mapping)))
        #expect(String(decoding: fast.prefix(39), as: UTF8.self) == "2000-01-01 00:00:01+00\t0.01\tcoinbase_ws")
    }

    @Test func typedFieldsMatchTheirTextForms() {
        for cents: Int64 in [-123_456, -5, 0, 7, 12_34, 6_412_345] {
            var encoder = PostgresCopyEncoder(capacity: 0)
            encoder.cents(cents)
            #expect(String(decoding: encoder.bytes, as: UTF8.self) == USDCents(cents: cents).description)
        }
        var encoder = PostgresCopyEncoder(capacity: 0)
        encoder.timestamp(epochSeconds: 1_780_271_400)
        encoder.null()
        encoder.endRow()
        #expect(String(decoding: encoder.bytes, as: UTF8.self) == UTCTime.postgresText(epochSeconds: 1_780_271_400) + "\t\\N\n")
    }

    @Test func aNulByteIsRefused() {
        var encoder = PostgresCopyEncoder(capacity: 0)
        #expect(throws: PostgresError.self) { try encoder.field("a\u{0}b") }
    }
}
