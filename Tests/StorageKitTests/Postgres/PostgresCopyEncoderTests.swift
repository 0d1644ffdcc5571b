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

    /// Binary rows, byte for byte as PostgreSQL's `COPY ... TO STDOUT (FORMAT binary)` lays them out.
    @Test func binaryFieldsHaveThePostgresLayout() throws {
        var encoder = PostgresCopyEncoder(capacity: 0, format: .binary)
        encoder.beginStream()
        let header = encoder.bytes
        #expect(header == Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0])
        // 2000-01-01 00:00:01 UTC is 1,000,000 µs after PostgreSQL's epoch.
        encoder.timestamp(epochSeconds: 946_684_801)
        encoder.cents(6_412_345)  // 64123.45: digits 6, 4123, 4500, weight 1
        try encoder.field("ab")
        encoder.null()
        encoder.endRow()
        encoder.endStream()
        let row = Array(encoder.bytes.dropFirst(header.count))
        #expect(row == [0, 4]  // four fields
            + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x40]
            + [0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 2, 0, 6, 0x10, 0x1B, 0x11, 0x94]
            + [0, 0, 0, 2, 0x61, 0x62]
            + [0xFF, 0xFF, 0xFF, 0xFF]
            + [0xFF, 0xFF])  // trailer
    }

    /// `numeric` digits (base 10000), weight, sign and scale for the amounts that change the shape.
    static let numericLayouts: [(Int64, [UInt8])] = [
        (0, [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2]),
        (1, [0, 0, 0, 10, 0, 1, 0xFF, 0xFF, 0, 0, 0, 2, 0, 100]),             // 0.01 = 100 × 10000^-1
        (-5, [0, 0, 0, 10, 0, 1, 0xFF, 0xFF, 0x40, 0, 0, 2, 0x01, 0xF4]),     // -0.05
        (100, [0, 0, 0, 10, 0, 1, 0, 0, 0, 0, 0, 2, 0, 1]),                   // 1.00
        (1_000_000, [0, 0, 0, 12, 0, 2, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0]),       // 10000.00: the zero digit is sent
        (99_999_999_999_999, [0, 0, 0, 16, 0, 4, 0, 2, 0, 0, 0, 2, 0x27, 0x0F, 0x27, 0x0F, 0x27, 0x0F, 0x26, 0xAC]),  // 999999999999.99
    ]

    @Test(arguments: numericLayouts)
    func binaryNumericLayout(cents: Int64, expected: [UInt8]) {
        var encoder = PostgresCopyEncoder(capacity: 0, format: .binary)
        encoder.cents(cents)
        #expect(Array(encoder.bytes.dropFirst(2)) == expected)
    }

    @Test func aNulByteIsRefusedInBinaryToo() {
        var encoder = PostgresCopyEncoder(capacity: 0, format: .binary)
        #expect(throws: PostgresError.self) { try encoder.field("a\u{0}b") }
    }
}
