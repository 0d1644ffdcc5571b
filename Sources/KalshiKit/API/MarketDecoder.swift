import StorageKit

/// Turns one Kalshi `Market` object into a `MarketSnapshot`, accepting both wire forms:
/// the current fixed-point strings (`yes_bid_dollars: "0.1200"`, `volume_fp: "10.00"`) and the
/// legacy integers (`yes_bid: 12` cents, `volume: 10` contracts). When both are present the
/// fixed-point one wins (it is the exact one; Kalshi documents that they match). Unknown members
/// are ignored; a missing or malformed required member makes the market invalid.
public enum MarketDecoder {
    /// Why a market object could not become a snapshot.
    public struct Invalid: Error, Sendable, CustomStringConvertible, Equatable {
        /// The market's ticker, when it has one.
        public var ticker: String?
        public var reason: String
        public var description: String { "market \(ticker ?? "(no ticker)"): \(reason)" }
    }

    /// Decodes `market`, captured in the poll that started at `second`.
    public static func decode(_ market: OrderedJSON, second: Int64) -> Result<MarketSnapshot, Invalid> {
        let ticker = market["ticker"]?.stringValue
        func invalid(_ reason: String) -> Result<MarketSnapshot, Invalid> { .failure(Invalid(ticker: ticker, reason: reason)) }
        guard case .object = market else { return invalid("not an object but \(market.typeName)") }
        guard let ticker, !ticker.isEmpty else { return invalid("missing \"ticker\"") }
        guard let event = market["event_ticker"]?.stringValue, !event.isEmpty else { return invalid("missing \"event_ticker\"") }
        guard let status = market["status"]?.stringValue, !status.isEmpty else { return invalid("missing \"status\"") }
        guard let open = time(market, "open_time") else { return invalid("missing or malformed \"open_time\"") }
        guard let close = time(market, "close_time") else { return invalid("missing or malformed \"close_time\"") }

        var prices: [DollarAmount] = []
        for name in ["yes_bid", "yes_ask", "no_bid", "no_ask", "last_price"] {
            switch dollars(market, name) {
            case .success(let v): prices.append(v)
            case .failure(let problem): return invalid(problem.reason)
            }
        }
        var counts: [ContractCount] = []
        for name in ["volume", "open_interest"] {
            switch count(market, name) {
            case .success(let v): counts.append(v)
            case .failure(let problem): return invalid(problem.reason)
            }
        }
        var volume24h: ContractCount?
        if market["volume_24h_fp"] != nil || market["volume_24h"] != nil {
            switch count(market, "volume_24h") {
            case .success(let v): volume24h = v
            case .failure(let problem): return invalid(problem.reason)
            }
        }
        var strikes: [String?] = []
        for name in ["floor_strike", "cap_strike"] {
            switch market[name] {
            case nil, .null?: strikes.append(nil)
            case .number(let text)?: strikes.append(text)
            case let other?: return invalid("\"\(name)\" is a \(other.typeName), not a number")
            }
        }
        let strikeType = market["strike_type"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let snapshot = MarketSnapshot(
            second: second, eventTicker: event, marketTicker: ticker, status: status,
            yesBid: prices[0], yesAsk: prices[1], noBid: prices[2], noAsk: prices[3], lastPrice: prices[4],
            volume: counts[0], volume24h: volume24h, openInterest: counts[1],
            openTime: open, closeTime: close, strikeType: strikeType, floorStrike: strikes[0], capStrike: strikes[1],
            rawJSON: market.compactText
        )
        // The stores' own rules (ranges, no NUL in text): one bad market is dropped here, with the
        // reason, instead of making the writers refuse the whole poll's batch.
        do {
            try snapshot.validate()
        } catch let error as StorageError {
            return invalid(error.message)
        } catch {
            return invalid("\(error)")
        }
        return .success(snapshot)
    }

    /// Why one member could not be read.
    struct Problem: Error {
        var reason: String
    }

    private static func time(_ market: OrderedJSON, _ name: String) -> Int64? {
        market[name]?.stringValue.flatMap(UTCTime.parseEpochSeconds)
    }

    /// `<name>_dollars` (string) or legacy `<name>` (integer cents).
    static func dollars(_ market: OrderedJSON, _ name: String) -> Result<DollarAmount, Problem> {
        if let fixed = market[name + "_dollars"], !fixed.isNull {
            guard let text = fixed.stringValue, let value = DollarAmount(decimalString: text) else {
                return .failure(Problem(reason: "\"\(name)_dollars\" is not a dollar amount with at most 4 decimals: \(fixed.compactText)"))
            }
            return .success(value)
        }
        if let legacy = market[name], !legacy.isNull {
            guard let text = legacy.numberText, let cents = Int64(text) else {
                return .failure(Problem(reason: "\"\(name)\" is not an integer number of cents: \(legacy.compactText)"))
            }
            return .success(DollarAmount(cents: cents))
        }
        return .failure(Problem(reason: "missing \"\(name)_dollars\" (or legacy \"\(name)\")"))
    }

    /// `<name>_fp` (string) or legacy `<name>` (integer contracts).
    static func count(_ market: OrderedJSON, _ name: String) -> Result<ContractCount, Problem> {
        if let fixed = market[name + "_fp"], !fixed.isNull {
            guard let text = fixed.stringValue, let value = ContractCount(decimalString: text) else {
                return .failure(Problem(reason: "\"\(name)_fp\" is not a contract count with at most 2 decimals: \(fixed.compactText)"))
            }
            return .success(value)
        }
        if let legacy = market[name], !legacy.isNull {
            guard let text = legacy.numberText, let contracts = Int64(text) else {
                return .failure(Problem(reason: "\"\(name)\" is not an integer number of contracts: \(legacy.compactText)"))
            }
            return .success(ContractCount(contracts: contracts))
        }
        return .failure(Problem(reason: "missing \"\(name)_fp\" (or legacy \"\(name)\")"))
    }
}
