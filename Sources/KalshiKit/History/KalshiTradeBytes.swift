import StorageKit

/// Public trades read straight from the bytes of a trades page (`JSONByteReader`), the other bulk
/// list of a backfill. As `KalshiCandlestickBytes`: only the usual shape is read this way; for
/// anything else it returns `nil` and the object goes through `KalshiHistoryDecoder.trade`, which
/// gives the same record or the exact error.
enum KalshiTradeBytes {
    /// One member's value as read: absent, `null`, a string's text or a number's text.
    typealias Value = JSONByteReader.Scalar

    /// The trade of the object the reader is at, or `nil` to decode it through the tree.
    static func trade(_ r: inout JSONByteReader) throws(OrderedJSONError) -> KalshiTrade? {
        guard try r.peek() == .object else { return nil }
        try r.enterObject()
        var tradeId: Value = .missing, ticker: Value = .missing, takerSide: Value = .missing, created: Value = .missing
        var count: Value = .missing, countLegacy: Value = .missing
        var yes: Value = .missing, yesLegacy: Value = .missing, no: Value = .missing, noLegacy: Value = .missing
        while let member = try r.nextMember() {
            if member.escaped { return nil }
            let name = member.name
            func read(_ slot: inout Value) throws(OrderedJSONError) -> Bool {
                guard let v = try r.scalar() else { return false }
                slot = v
                return true
            }
            let ok: Bool
            if r.bytes(name, equal: "trade_id") { ok = try read(&tradeId) }
            else if r.bytes(name, equal: "ticker") { ok = try read(&ticker) }
            else if r.bytes(name, equal: "count_fp") { ok = try read(&count) }
            else if r.bytes(name, equal: "count") { ok = try read(&countLegacy) }
            else if r.bytes(name, equal: "yes_price_dollars") { ok = try read(&yes) }
            else if r.bytes(name, equal: "yes_price") { ok = try read(&yesLegacy) }
            else if r.bytes(name, equal: "no_price_dollars") { ok = try read(&no) }
            else if r.bytes(name, equal: "no_price") { ok = try read(&noLegacy) }
            else if r.bytes(name, equal: "taker_side") { ok = try read(&takerSide) }
            else if r.bytes(name, equal: "created_time") { ok = try read(&created) }
            else { try r.skipValue(); ok = true }
            if !ok { return nil }
        }
        func string(_ v: Value) -> String? {
            guard case .string(let range) = v else { return nil }
            return r.string(range)
        }
        /// The text of a fixed-point member (a string or a number), else the legacy integer member.
        func fixed<T>(_ v: Value, _ legacy: Value, _ parse: (UnsafeBufferPointer<UInt8>) -> T?, _ whole: (Int64) -> T) -> T? {
            switch v {
            case .string(let range), .number(let range): return r.withBytes(range, parse)
            default: break
            }
            guard case .number(let range) = legacy, let n = r.withBytes(range, { Int64(String(decoding: $0, as: UTF8.self)) }) else { return nil }
            return whole(n)
        }
        guard let id = string(tradeId), let market = string(ticker), let side = string(takerSide),
              let createdText = string(created), let createdTime = UTCTime.parseEpochSeconds(createdText),
              let contracts = fixed(count, countLegacy, { ContractCount(utf8: $0) }, { ContractCount(contracts: $0) }), contracts.hundredths >= 0,
              let yesPrice = fixed(yes, yesLegacy, { DollarAmount(utf8: $0) }, { DollarAmount(cents: $0) }),
              let noPrice = fixed(no, noLegacy, { DollarAmount(utf8: $0) }, { DollarAmount(cents: $0) }) else { return nil }
        return KalshiTrade(tradeId: id, ticker: market, count: contracts, yesPrice: yesPrice, noPrice: noPrice,
                           takerSide: side, createdTime: createdTime)
    }
}
