import Testing
@testable import StorageKit

/// The bulk Kalshi records (candlesticks, trades) go through the typed COPY fast path and the
/// one-pass fixed-point parser: both must give exactly what the text forms give.
@Suite struct KalshiCopyEncodingTests {
    static func bytes<R>(_ records: [R], _ mapping: PostgresMapping<R>, fast: Bool) throws -> String {
        var encoder = PostgresCopyEncoder(capacity: 0)
        for r in records {
            if fast { try mapping.appendCopyRow(r, to: &encoder) } else { try encoder.append(mapping.encode(r)) }
        }
        return String(decoding: encoder.bytes, as: UTF8.self)
    }

    @Test func candlesticksAndTradesFastPathMatchesTheGenericEncoding() throws {
        let d = { (units: Int64) in DollarAmount(tenThousandths: units) }
        let candles = [
            KalshiCandlestick(ticker: "KXBTCD-25AUG0817-T116999.99", periodMinutes: 1, endPeriodTime: 1_754_683_260,
                              yesBid: (d(0), d(1), d(9_999), d(10_000)), yesAsk: (d(1200), d(56), d(5_600), d(123)),
                              price: (d(1), nil, d(0), nil, d(4_321), d(10_000)),
                              volume: ContractCount(hundredths: 0), openInterest: ContractCount(hundredths: 123_456_789)),
            KalshiCandlestick(ticker: "odd\tticker\\", periodMinutes: 1440, endPeriodTime: 4_102_444_799,
                              yesBid: (d(5), d(50), d(500), d(5000)), yesAsk: (d(7), d(70), d(700), d(7000)),
                              price: (nil, nil, nil, nil, nil, nil),
                              volume: ContractCount(hundredths: 1), openInterest: ContractCount(hundredths: 10)),
        ]
        let candleMapping = try #require(KalshiCandlestick.postgres)
        #expect(candleMapping.encodeCopy != nil)
        #expect(try Self.bytes(candles, candleMapping, fast: true) == Self.bytes(candles, candleMapping, fast: false))

        let trades = [
            KalshiTrade(tradeId: "t-1", ticker: "KXBTCD-25AUG0817-T116999.99", count: ContractCount(hundredths: 1_050),
                        yesPrice: d(5_600), noPrice: d(4_400), takerSide: "yes", createdTime: 1_754_683_262),
            KalshiTrade(tradeId: "t\n2", ticker: "X", count: ContractCount(hundredths: 99_999_999), yesPrice: d(1),
                        noPrice: d(9_999), takerSide: "no", createdTime: 946_684_800),
        ]
        let tradeMapping = try #require(KalshiTrade.postgres)
        #expect(tradeMapping.encodeCopy != nil)
        #expect(try Self.bytes(trades, tradeMapping, fast: true) == Self.bytes(trades, tradeMapping, fast: false))
    }

    /// Candlesticks are de-duplicated by comparing (ticker, period, end time), without key strings:
    /// the result is the one the natural-key strings give (the last of a key wins, order kept).
    @Test func candlestickDeduplicationWithoutKeyStringsMatchesTheKeyStrings() throws {
        func candle(_ ticker: String, _ period: Int64, _ end: Int64, volume: Int64 = 0) -> KalshiCandlestick {
            let d = DollarAmount(tenThousandths: 100)
            return KalshiCandlestick(ticker: ticker, periodMinutes: period, endPeriodTime: end, yesBid: (d, d, d, d), yesAsk: (d, d, d, d),
                                     price: (nil, nil, nil, nil, nil, d), volume: ContractCount(hundredths: volume),
                                     openInterest: ContractCount(hundredths: 0))
        }
        /// The definition: the last record of each natural-key string, in order.
        func oracle(_ rows: [KalshiCandlestick]) -> [KalshiCandlestick] {
            var last: [String: Int] = [:]
            for (i, r) in rows.enumerated() { last[r.naturalKey] = i }
            return rows.enumerated().filter { last[$0.element.naturalKey] == $0.offset }.map(\.element)
        }
        let t0: Int64 = 1_754_683_260
        let ordered = (0..<200).map { candle("KXBTCD-A", 1, t0 + Int64($0) * 60) } + (0..<3).map { candle("KXBTCD-B", 60, t0 + Int64($0) * 3600) }
        #expect(ordered.deduplicated() == ordered)
        #expect(try ordered.validatedAndDeduplicated() == ordered)
        let cases: [[KalshiCandlestick]] = [
            ordered + [candle("KXBTCD-A", 1, t0 + 60, volume: 7)],                  // a later duplicate wins
            [candle("A", 1, t0), candle("A", 1, t0, volume: 3), candle("A", 1, t0 + 60)],  // adjacent duplicate
            [candle("B", 1, t0), candle("A", 1, t0), candle("B", 1, t0, volume: 1)],       // not in key order
            [candle("A", 60, t0), candle("A", 1, t0)],                                      // same ticker and time, two periods
        ]
        for rows in cases {
            #expect(rows.deduplicated() == oracle(rows))
            #expect(rows.deduplicated().count < rows.count || Set(rows.map(\.naturalKey)).count == rows.count)
        }
        #expect(cases[1].deduplicated().map(\.volume.hundredths) == [3, 0])
    }

    @Test func typedFixedPointAndIntegerFieldsMatchTheirTextForms() {
        for scale in [0, 2, 4] {
            for units: Int64 in [0, 1, -1, 9, 10, 99, 100, 1_200, -1_200, 123_456, 999_999_999_999_999, Int64.max, Int64.min + 1] {
                var encoder = PostgresCopyEncoder(capacity: 0)
                encoder.fixedPoint(units, scale: scale)
                #expect(String(decoding: encoder.bytes, as: UTF8.self) == FixedPointText.format(units, scale: scale), "\(units) scale \(scale)")
            }
        }
        for value: Int64 in [0, 1, 60, 1440, -7, Int64.max] {
            var encoder = PostgresCopyEncoder(capacity: 0)
            encoder.integer(value)
            #expect(String(decoding: encoder.bytes, as: UTF8.self) == String(value))
        }
    }

    /// The fixed-point parser against a definition written on the text itself: an optional sign, then
    /// digits with at most one point and at least one digit; integer part below 10^12; the digits past
    /// the scale all zeros.
    @Test func fixedPointParserAgreesWithItsDefinition() {
        func oracle(_ text: String, scale: Int) -> Int64? {
            var body = Substring(text)
            var negative = false
            if let sign = body.first, sign == "-" || sign == "+" {
                negative = sign == "-"
                body = body.dropFirst()
            }
            let pieces = body.split(separator: ".", omittingEmptySubsequences: false)
            guard pieces.count <= 2, pieces.allSatisfy({ $0.allSatisfy { "0123456789".contains($0) } }),
                  pieces.contains(where: { !$0.isEmpty }) else { return nil }
            let integerText = pieces[0].drop { $0 == "0" }
            guard integerText.count <= 12, let integer = integerText.isEmpty ? 0 : Int64(integerText), integer < 1_000_000_000_000 else { return nil }
            let fractionText = pieces.count == 2 ? String(pieces[1]) : ""
            guard fractionText.dropFirst(scale).allSatisfy({ $0 == "0" }) else { return nil }
            let kept = String(fractionText.prefix(scale)) + String(repeating: "0", count: max(0, scale - fractionText.count))
            var unit: Int64 = 1
            for _ in 0..<scale { unit *= 10 }
            let value = integer * unit + (Int64(kept) ?? 0)
            return negative ? -value : value
        }
        let inputs = ["0.1200", "0.12", "1", "-3", "+0.12", ".5", "5.", "0.120000", "0.12001", "0.00001", "1e3", "", "-", ".", "+",
                      "1.2.3", " 1", "1 ", "999999999999", "999999999999.9999", "1000000000000", "--1", "1-", "0x10", "NaN",
                      "12345678901234567890", "0.9999", "10.00", "٣", "0.1234567"]
        for text in inputs {
            for scale in [2, 4] {
                #expect(FixedPointText.parse(text, scale: scale) == oracle(text, scale: scale), "\"\(text)\" scale \(scale)")
            }
        }
        #expect(DollarAmount(decimalString: "0.5600") == DollarAmount(tenThousandths: 5_600))
        #expect(DollarAmount(decimalString: "0.5600"[...]) == DollarAmount(tenThousandths: 5_600))
        #expect(ContractCount(decimalString: "10.5") == ContractCount(hundredths: 1_050))
    }
}
