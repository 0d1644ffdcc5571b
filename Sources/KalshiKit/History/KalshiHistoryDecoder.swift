import StorageKit

/// Turns Kalshi history objects into records. Each accepts the current fixed-point form
/// (`yes_price_dollars: "0.5600"`, `count_fp: "10.00"`) and the older integer form (`yes_price: 56`
/// cents, `count: 10`), since the legacy `fills.json`/`settlements.json` hold the latter; when
/// both are present the fixed-point one is used. Times are ISO 8601 (`created_time`) or epoch
/// seconds (`ts`). Used by the ingest daemon and by `recioctl backfill account`.
public enum KalshiHistoryDecoder {
    /// A fill of `/portfolio/fills`, `/historical/fills` or `fills.json`.
    public static func fill(_ o: OrderedJSON) throws -> KalshiFill {
        let r = ObjectReader(o, kind: "fill")
        try r.requireObject()
        let created: Int64
        if let text = try r.optionalString("created_time") {
            created = try r.time(text, "created_time")
        } else {
            created = try r.integer("ts")
        }
        return KalshiFill(
            tradeId: try r.string("trade_id"), fillId: try r.optionalString("fill_id"), orderId: try r.optionalString("order_id"),
            marketTicker: try r.optionalString("market_ticker") ?? r.string("ticker"),
            side: try r.string("side"), action: try r.string("action"),
            count: try r.count("count_fp", legacy: "count"),
            yesPrice: try r.dollars("yes_price_dollars", legacyCents: "yes_price"),
            noPrice: try r.dollars("no_price_dollars", legacyCents: "no_price"),
            isTaker: try r.optionalBool("is_taker"),
            feeCost: try r.optionalDollars("fee_cost", legacyCents: nil),
            createdTime: created, rawJSON: o.compactText)
    }

    /// A settlement of `/portfolio/settlements` or `settlements.json`.
    public static func settlement(_ o: OrderedJSON) throws -> KalshiSettlement {
        let r = ObjectReader(o, kind: "settlement")
        try r.requireObject()
        return KalshiSettlement(
            ticker: try r.string("ticker"), settledTime: try r.time(try r.string("settled_time"), "settled_time"),
            eventTicker: try r.optionalString("event_ticker"), marketResult: try r.string("market_result"),
            yesCount: try r.count("yes_count_fp", legacy: "yes_count"),
            yesTotalCost: try r.dollars("yes_total_cost_dollars", legacyCents: "yes_total_cost"),
            noCount: try r.count("no_count_fp", legacy: "no_count"),
            noTotalCost: try r.dollars("no_total_cost_dollars", legacyCents: "no_total_cost"),
            revenue: try r.dollars("revenue_dollars", legacyCents: "revenue"),
            feeCost: try r.optionalDollars("fee_cost", legacyCents: nil),
            value: try r.optionalDollars("value_dollars", legacyCents: "value"),
            rawJSON: o.compactText)
    }

    /// A market position of `/portfolio/positions`, stamped with the snapshot time.
    public static func position(_ o: OrderedJSON, snapshotTime: Int64) throws -> KalshiPosition {
        let r = ObjectReader(o, kind: "position")
        try r.requireObject()
        return KalshiPosition(
            ticker: try r.string("ticker"), position: try r.signedCount("position_fp", legacy: "position"),
            totalTraded: try r.dollars("total_traded_dollars", legacyCents: "total_traded"),
            marketExposure: try r.dollars("market_exposure_dollars", legacyCents: "market_exposure"),
            realizedPnl: try r.dollars("realized_pnl_dollars", legacyCents: "realized_pnl"),
            feesPaid: try r.dollars("fees_paid_dollars", legacyCents: "fees_paid"),
            restingOrdersCount: try r.optionalInteger("resting_orders_count") ?? 0,
            lastUpdated: try r.optionalString("last_updated_ts").map { try r.time($0, "last_updated_ts") },
            snapshotTime: snapshotTime, rawJSON: o.compactText)
    }

    /// A market of `/markets` or `/historical/markets`, recorded under `series`.
    public static func market(_ o: OrderedJSON, series: String) throws -> KalshiMarket {
        let r = ObjectReader(o, kind: "market")
        try r.requireObject()
        let value = try r.optionalDollars("settlement_value_dollars", legacyCents: "settlement_value")
        return KalshiMarket(
            ticker: try r.string("ticker"), eventTicker: try r.string("event_ticker"), seriesTicker: series,
            status: try r.string("status"), result: try r.optionalString("result") ?? "",
            openTime: try r.time(try r.string("open_time"), "open_time"), closeTime: try r.time(try r.string("close_time"), "close_time"),
            settlementTime: try r.optionalString("settlement_ts").map { try r.time($0, "settlement_ts") },
            settlementValue: value, volume: try r.optionalCount("volume_fp", legacy: "volume"), rawJSON: o.compactText)
    }

    /// A candlestick of the live endpoint (`yes_bid.open_dollars`, `volume_fp`) or the historical
    /// one (`yes_bid.open`, `volume`), for `ticker` and `periodMinutes`.
    public static func candlestick(_ o: OrderedJSON, ticker: String, periodMinutes: Int64) throws -> KalshiCandlestick {
        let r = ObjectReader(o, kind: "candlestick")
        try r.requireObject()
        /// `kind` is a literal, not built per row.
        func distribution(_ name: String, kind: String) throws -> ObjectReader {
            guard let inner = o[name], case .object = inner else {
                throw KalshiRecordDecodingError(kind: "candlestick", member: name, "expected an object, found \(o[name]?.typeName ?? "nothing")")
            }
            return ObjectReader(inner, kind: kind)
        }
        /// `open_dollars` (live) or `open` (historical): one lookup of each name, no name built per row.
        func member(_ d: ObjectReader, _ field: AmountField) -> (key: String, value: OrderedJSON?) {
            if let v = d.object[field.live], !v.isNull { return (field.live, v) }
            return (field.historical, d.object[field.historical])
        }
        func amount(_ d: ObjectReader, _ field: AmountField) throws -> DollarAmount {
            let (key, value) = member(d, field)
            guard let amount = try d.optionalDollars(value, key) else { throw d.fail(key, "missing") }
            return amount
        }
        func optionalAmount(_ d: ObjectReader, _ field: AmountField) throws -> DollarAmount? {
            let (key, value) = member(d, field)
            return try d.optionalDollars(value, key)
        }
        let bid = try distribution("yes_bid", kind: "candlestick.yes_bid"), ask = try distribution("yes_ask", kind: "candlestick.yes_ask")
        let price: ObjectReader? = o["price"]?.isNull == false ? try distribution("price", kind: "candlestick.price") : nil
        func p(_ field: AmountField) throws -> DollarAmount? { try price.flatMap { try optionalAmount($0, field) } }
        let volume = try r.count(r.has("volume_fp") ? "volume_fp" : "volume", legacy: nil)
        let interest = try r.count(r.has("open_interest_fp") ? "open_interest_fp" : "open_interest", legacy: nil)
        typealias F = AmountField
        return KalshiCandlestick(
            ticker: ticker, periodMinutes: periodMinutes, endPeriodTime: try r.integer("end_period_ts"),
            yesBid: (try amount(bid, F.open), try amount(bid, F.low), try amount(bid, F.high), try amount(bid, F.close)),
            yesAsk: (try amount(ask, F.open), try amount(ask, F.low), try amount(ask, F.high), try amount(ask, F.close)),
            price: (try p(F.open), try p(F.low), try p(F.high), try p(F.close), try p(F.mean), try p(F.previous)),
            volume: volume, openInterest: interest)
    }

    /// A candlestick amount's member names: `open_dollars` (live endpoint) and `open` (historical).
    struct AmountField: Sendable {
        let live: String
        let historical: String
        init(_ name: String) {
            live = name + "_dollars"
            historical = name
        }
        static let open = AmountField("open"), low = AmountField("low"), high = AmountField("high"), close = AmountField("close")
        static let mean = AmountField("mean"), previous = AmountField("previous")
    }

    /// A public trade of `/markets/trades` or `/historical/trades`.
    public static func trade(_ o: OrderedJSON) throws -> KalshiTrade {
        let r = ObjectReader(o, kind: "trade")
        try r.requireObject()
        return KalshiTrade(
            tradeId: try r.string("trade_id"), ticker: try r.string("ticker"), count: try r.count("count_fp", legacy: "count"),
            yesPrice: try r.dollars("yes_price_dollars", legacyCents: "yes_price"),
            noPrice: try r.dollars("no_price_dollars", legacyCents: "no_price"),
            takerSide: try r.string("taker_side"), createdTime: try r.time(try r.string("created_time"), "created_time"))
    }
}

/// Typed member access with errors naming the object kind and member.
struct ObjectReader {
    let object: OrderedJSON
    let kind: String

    init(_ object: OrderedJSON, kind: String) {
        self.object = object
        self.kind = kind
    }

    func fail(_ member: String, _ message: String) -> KalshiRecordDecodingError {
        KalshiRecordDecodingError(kind: kind, member: member, message)
    }

    func requireObject() throws {
        guard case .object = object else { throw fail("$", "expected an object, found \(object.typeName)") }
    }

    func has(_ key: String) -> Bool {
        guard let v = object[key] else { return false }
        return !v.isNull
    }

    func string(_ key: String) throws -> String {
        guard let v = object[key] else { throw fail(key, "missing") }
        guard let s = v.stringValue else { throw fail(key, "expected a string, found \(v.typeName)") }
        return s
    }

    func optionalString(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        return try string(key)
    }

    func integer(_ key: String) throws -> Int64 {
        guard let v = object[key] else { throw fail(key, "missing") }
        guard let text = v.numberText, let n = Int64(text) else { throw fail(key, "expected an integer, found \(v.compactText.prefix(40))") }
        return n
    }

    func optionalInteger(_ key: String) throws -> Int64? {
        guard has(key) else { return nil }
        return try integer(key)
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .bool(let b) = v else { throw fail(key, "expected a boolean, found \(v.typeName)") }
        return b
    }

    func time(_ text: String, _ key: String) throws -> Int64 {
        guard let t = UTCTime.parseEpochSeconds(text) else { throw fail(key, "not an ISO 8601 time: \"\(text.prefix(40))\"") }
        return t
    }

    /// A fixed-point dollar string at `key`, else integer cents at `legacyCents`.
    func dollars(_ key: String, legacyCents: String?) throws -> DollarAmount {
        guard let value = try optionalDollars(key, legacyCents: legacyCents) else {
            throw fail(key, legacyCents.map { "missing (and no legacy \($0))" } ?? "missing")
        }
        return value
    }

    func optionalDollars(_ key: String, legacyCents: String?) throws -> DollarAmount? {
        if let amount = try optionalDollars(object[key], key) { return amount }
        if let legacyCents, has(legacyCents) {
            return DollarAmount(cents: try integer(legacyCents))
        }
        return nil
    }

    /// The dollar amount `value` (member `key`, for the error), `nil` when missing or null.
    func optionalDollars(_ value: OrderedJSON?, _ key: String) throws -> DollarAmount? {
        guard let v = value, !v.isNull else { return nil }
        // Kalshi sends dollars as strings; accept a JSON number's exact text too.
        guard let text = v.stringValue ?? v.numberText, let amount = DollarAmount(decimalString: text) else {
            throw fail(key, "not an exact dollar amount with at most 4 decimals: \(v.compactText.prefix(40))")
        }
        return amount
    }

    /// A non-negative fixed-point count at `key`, else an integer count at `legacy`.
    func count(_ key: String, legacy: String?) throws -> ContractCount {
        let value = try signedCount(key, legacy: legacy)
        guard value.hundredths >= 0 else { throw fail(key, "negative count \(value)") }
        return value
    }

    func signedCount(_ key: String, legacy: String?) throws -> ContractCount {
        guard let value = try optionalCount(key, legacy: legacy) else {
            throw fail(key, legacy.map { "missing (and no legacy \($0))" } ?? "missing")
        }
        return value
    }

    func optionalCount(_ key: String, legacy: String?) throws -> ContractCount? {
        if let v = object[key], !v.isNull {
            guard let text = v.stringValue ?? v.numberText, let count = ContractCount(decimalString: text) else {
                throw fail(key, "not an exact contract count with at most 2 decimals: \(v.compactText.prefix(40))")
            }
            return count
        }
        if let legacy, has(legacy) { return ContractCount(contracts: try integer(legacy)) }
        return nil
    }
}
