import StorageKit

/// Candlesticks read straight from the bytes of a candlesticks response (`JSONByteReader`), without
/// an `OrderedJSON` tree: the bulk of a history backfill. Only the usual shape is read this way;
/// anything else (an escaped member name, an amount that does not parse, a missing member, a value
/// of another type) returns `nil`, and the caller decodes that one object through the tree decoder
/// (`KalshiHistoryDecoder.candlestick`), which gives the same record or the exact error. So both
/// paths accept the same objects and produce the same records (`HistoryDecoderTests` compares them).
enum KalshiCandlestickBytes {
    /// One member's value as read: absent, `null`, or the text of a string or number.
    typealias Value = JSONByteReader.Scalar

    /// A `yes_bid`/`yes_ask`/`price` object: each field's live (`open_dollars`) and historical (`open`) member.
    struct Distribution {
        var live = InlineArray<6, Value>(repeating: .missing)
        var historical = InlineArray<6, Value>(repeating: .missing)
    }

    /// The fields of a distribution, in the order of `Distribution`'s arrays.
    static let fields: [(live: StaticString, historical: StaticString)] = [
        ("open_dollars", "open"), ("low_dollars", "low"), ("high_dollars", "high"), ("close_dollars", "close"),
        ("mean_dollars", "mean"), ("previous_dollars", "previous"),
    ]

    static func distribution(_ r: inout JSONByteReader) throws(OrderedJSONError) -> Distribution? {
        guard try r.peek() == .object else { return nil }
        try r.enterObject()
        var d = Distribution()
        while let member = try r.nextMember() {
            if member.escaped { return nil }
            var matched = false
            for (k, f) in fields.enumerated() {
                if r.bytes(member.name, equal: f.live) {
                    guard let v = try r.scalar() else { return nil }
                    d.live[k] = v
                    matched = true
                    break
                }
                if r.bytes(member.name, equal: f.historical) {
                    guard let v = try r.scalar() else { return nil }
                    d.historical[k] = v
                    matched = true
                    break
                }
            }
            if !matched { try r.skipValue() }
        }
        return d
    }

    /// The amount of field `k`: the live member when it is there and not null, else the historical
    /// one. `.some(nil)` when neither has a value; `nil` when a value does not parse.
    static func amount(_ r: JSONByteReader, _ d: Distribution, _ k: Int) -> DollarAmount?? {
        let v = d.live[k].text != nil ? d.live[k] : d.historical[k]
        guard let range = v.text else { return .some(nil) }
        guard let units = r.withBytes(range, { DollarAmount(utf8: $0) }) else { return nil }
        return .some(units)
    }

    /// The candlestick of the object the reader is at, or `nil` to decode it through the tree.
    static func candlestick(_ r: inout JSONByteReader, ticker: String, periodMinutes: Int64) throws(OrderedJSONError) -> KalshiCandlestick? {
        guard try r.peek() == .object else { return nil }
        try r.enterObject()
        var end: Value = .missing
        var bid: Distribution?, ask: Distribution?, price: Distribution?
        var volumeFp: Value = .missing, volume: Value = .missing, interestFp: Value = .missing, interest: Value = .missing
        while let member = try r.nextMember() {
            if member.escaped { return nil }
            let name = member.name
            if r.bytes(name, equal: "end_period_ts") {
                // An integer number (a string or null goes through the tree, which rejects it).
                guard let range = try r.numberText() else { return nil }
                end = .number(range)
            } else if r.bytes(name, equal: "yes_bid") {
                guard let d = try distribution(&r) else { return nil }
                bid = d
            } else if r.bytes(name, equal: "yes_ask") {
                guard let d = try distribution(&r) else { return nil }
                ask = d
            } else if r.bytes(name, equal: "price") {
                if try r.peek() == .null {
                    try r.skipValue()
                    price = nil
                } else {
                    guard let d = try distribution(&r) else { return nil }
                    price = d
                }
            } else if r.bytes(name, equal: "volume_fp") {
                guard let v = try r.scalar() else { return nil }
                volumeFp = v
            } else if r.bytes(name, equal: "volume") {
                guard let v = try r.scalar() else { return nil }
                volume = v
            } else if r.bytes(name, equal: "open_interest_fp") {
                guard let v = try r.scalar() else { return nil }
                interestFp = v
            } else if r.bytes(name, equal: "open_interest") {
                guard let v = try r.scalar() else { return nil }
                interest = v
            } else {
                try r.skipValue()
            }
        }
        guard let bid, let ask else { return nil }
        // end_period_ts: an integer number (a string or an exponent goes through the tree and fails there).
        guard let endRange = end.text, let endTime = r.withBytes(endRange, { integer($0) }) else { return nil }
        func count(_ fp: Value, _ plain: Value) -> ContractCount? {
            let v = fp.text != nil ? fp : plain
            guard let range = v.text, let c = r.withBytes(range, { ContractCount(utf8: $0) }), c.hundredths >= 0 else { return nil }
            return c
        }
        guard let vol = count(volumeFp, volume), let oi = count(interestFp, interest) else { return nil }
        var required = InlineArray<8, DollarAmount>(repeating: DollarAmount(tenThousandths: 0))
        for k in 0..<8 {
            guard let a = amount(r, k < 4 ? bid : ask, k % 4), let value = a else { return nil }
            required[k] = value
        }
        var traded = InlineArray<6, DollarAmount?>(repeating: nil)
        if let price {
            for k in 0..<6 {
                guard let a = amount(r, price, k) else { return nil }
                traded[k] = a
            }
        }
        return KalshiCandlestick(
            ticker: ticker, periodMinutes: periodMinutes, endPeriodTime: endTime,
            yesBid: (required[0], required[1], required[2], required[3]), yesAsk: (required[4], required[5], required[6], required[7]),
            price: (traded[0], traded[1], traded[2], traded[3], traded[4], traded[5]), volume: vol, openInterest: oi)
    }

    /// A JSON integer's text (`-12`), as `Int64(text)` reads it; `nil` for a fraction or an exponent.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        Int64(String(decoding: bytes, as: UTF8.self))
    }
}
