import StorageKit

/// The feed's fast path for the message it receives a thousand times a second: a `ticker` read in
/// one pass straight from the frame's bytes, with no JSON tree, no copy of the message and no
/// `String` per member (the optional decimals are short enough to be stored inline).
///
/// It accepts only the plain shape Coinbase sends: one JSON object of strings, numbers, `true`,
/// `false` and `null`, with ASCII strings without escapes, `type` `ticker`, the subscribed
/// product, a price `123.45`, integer `trade_id` and `sequence`, and a time
/// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`. For anything else (another type, a nested value, an escape, a
/// non-ASCII byte, a byte order mark, a member given twice, a number or time in another valid
/// form, and every error) it answers `nil`, and `CoinbaseMessage.decode` hands the message to the
/// general decoder, which decides and reports it. Whatever it accepts, the general decoder decodes
/// to the same `CoinbaseTicker` (the tests compare the two on every fixture shape and on mutations
/// of them).
struct CoinbaseTickerScanner {
    /// Where one member's value lies in the message.
    private enum Value {
        /// The bytes between the quotes (ASCII, no escape).
        case string(Range<Int>)
        /// The number's text, checked against the JSON grammar.
        case number(Range<Int>)
        /// `true`, `false` or `null`.
        case literal
    }

    private let bytes: UnsafeRawBufferPointer
    private var i = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The ticker in `bytes` (one complete message), or `nil` when the general decoder must decide.
    static func ticker(in bytes: UnsafeRawBufferPointer, productId: String) -> CoinbaseTicker? {
        var scanner = CoinbaseTickerScanner(bytes)
        return scanner.scanTicker(productId: productId)
    }

    private mutating func scanTicker(productId: String) -> CoinbaseTicker? {
        var type: Value?, product: Value?, price: Value?, tradeId: Value?, sequence: Value?, time: Value?
        var side: Value?, lastSize: Value?, bestBid: Value?, bestAsk: Value?
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while true {
            skipSpace()
            guard case .string(let key)? = scanValue() else { return nil }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace()
            guard let value = scanValue() else { return nil }
            // A member that matters, given twice, is left to the general decoder (the last one wins there).
            func set(_ slot: inout Value?) -> Bool {
                guard slot == nil else { return false }
                slot = value
                return true
            }
            let fresh: Bool
            switch key.count {
            case 4 where equals(key, "type"): fresh = set(&type)
            case 4 where equals(key, "side"): fresh = set(&side)
            case 4 where equals(key, "time"): fresh = set(&time)
            case 5 where equals(key, "price"): fresh = set(&price)
            case 8 where equals(key, "trade_id"): fresh = set(&tradeId)
            case 8 where equals(key, "sequence"): fresh = set(&sequence)
            case 8 where equals(key, "best_bid"): fresh = set(&bestBid)
            case 8 where equals(key, "best_ask"): fresh = set(&bestAsk)
            case 9 where equals(key, "last_size"): fresh = set(&lastSize)
            case 10 where equals(key, "product_id"): fresh = set(&product)
            default: fresh = true
            }
            guard fresh else { return nil }
            skipSpace()
            guard i < bytes.count else { return nil }
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "}") { break }
            guard c == UInt8(ascii: ",") else { return nil }
        }
        skipSpace()
        guard i == bytes.count else { return nil }

        guard case .string(let typeRange)? = type, equals(typeRange, "ticker"),
              case .string(let productRange)? = product, productId.utf8.elementsEqual(slice(productRange)),
              case .string(let priceRange)? = price, let cents = cents(priceRange), cents > 0,
              case .number(let tradeIdRange)? = tradeId, let tradeIdValue = integer(tradeIdRange),
              case .number(let sequenceRange)? = sequence, let sequenceValue = integer(sequenceRange),
              case .string(let timeRange)? = time, let tradeTime = tradeTime(timeRange)
        else { return nil }
        return CoinbaseTicker(productId: productId, price: USDCents(cents: cents), time: tradeTime,
                              tradeId: tradeIdValue, sequence: sequenceValue,
                              side: string(side), lastSize: string(lastSize), bestBid: string(bestBid), bestAsk: string(bestAsk))
    }

    // MARK: - JSON

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    /// One value (or a member name) at `i`; `nil` for an object, an array, or anything the fast
    /// path does not take.
    private mutating func scanValue() -> Value? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            i += 1
            let start = i
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    return .string(start..<(i - 1))
                }
                // Escapes, control characters (an error) and non-ASCII text (to be validated):
                // the general decoder's business.
                guard c >= 0x20, c < 0x80, c != UInt8(ascii: "\\") else { return nil }
                i += 1
            }
            return nil
        case UInt8(ascii: "-"), 48...57:
            let start = i
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count else { return nil }
            if bytes[i] == 48 {
                i += 1
            } else if digits() == 0 {
                return nil
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { return nil }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return nil }
            }
            return .number(start..<i)
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return nil
        }
    }

    private mutating func digits() -> Int {
        let start = i
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
        return i - start
    }

    private mutating func literal(_ word: StaticString) -> Value? {
        let end = i + word.utf8CodeUnitCount
        guard end <= bytes.count, equals(i..<end, word) else { return nil }
        i = end
        return .literal
    }

    // MARK: - Fields

    private func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    private func equals(_ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { slice(range).elementsEqual($0) }
    }

    /// An optional string member as the general decoder reads it: its text when it is a string.
    private func string(_ value: Value?) -> String? {
        guard case .string(let range)? = value else { return nil }
        return String(decoding: slice(range), as: UTF8.self)
    }

    /// `-?[0-9]+` that fits `Int64`; other integral forms (`1.2e1`) go to the general decoder.
    private func integer(_ range: Range<Int>) -> Int64? {
        var k = range.lowerBound
        let negative = bytes[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        var value: Int64 = 0
        while k < range.upperBound {
            let c = bytes[k]
            guard c >= 48, c <= 57 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(c - 48)) : m.addingReportingOverflow(Int64(c - 48))
            guard !o1, !o2 else { return nil }
            value = a
            k += 1
        }
        return value
    }

    /// `[0-9]+(\.[0-9]+)?` in cents, read by `USDCents(utf8:)` (its rounding, half to even, and its
    /// bound on the integer part); other forms (signs, exponents, `5.`, `.5`) go to the general decoder.
    private func cents(_ range: Range<Int>) -> Int64? {
        guard let first = range.first, Self.isDigit(bytes[first]), Self.isDigit(bytes[range.upperBound - 1]) else { return nil }
        return USDCents(utf8: slice(range).assumingMemoryBound(to: UInt8.self))?.cents
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// `YYYY-MM-DDTHH:MM:SS[.f+]Z`, the fraction truncated to microseconds as
    /// `TradeTime(rfc3339:)` does; other RFC 3339 forms go to the general decoder.
    private func tradeTime(_ range: Range<Int>) -> TradeTime? {
        let b = range.lowerBound
        guard range.count >= 20, bytes[b + 4] == UInt8(ascii: "-"), bytes[b + 7] == UInt8(ascii: "-"),
              bytes[b + 10] == UInt8(ascii: "T"), bytes[b + 13] == UInt8(ascii: ":"), bytes[b + 16] == UInt8(ascii: ":"),
              bytes[range.upperBound - 1] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ offset: Int, _ count: Int) -> Int? {
            var v = 0
            for k in (b + offset)..<(b + offset + count) {
                let c = bytes[k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        let civil = CivilDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard civil.isValid else { return nil }
        var micros: Int64 = 0
        let end = range.upperBound - 1  // the `Z`
        var k = b + 19
        if k < end {
            guard bytes[k] == UInt8(ascii: "."), end - k >= 2 else { return nil }
            k += 1
            var scale: Int64 = 100_000
            while k < end {
                let c = bytes[k]
                guard c >= 48, c <= 57 else { return nil }
                micros += Int64(c - 48) * scale
                scale /= 10
                k += 1
            }
        }
        return TradeTime(epochSeconds: civil.epochSecondsAsUTC, microseconds: micros)
    }
}
