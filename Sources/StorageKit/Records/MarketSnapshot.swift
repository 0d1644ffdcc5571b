import Foundation

/// One Kalshi market as one poll of its event saw it: quotes, last price, volume, open interest,
/// status, schedule, strikes, and the market object exactly as received. One record per market per
/// poll; `market_snapshots` in PostgreSQL and the hourly `market_snapshots-*.jsonl` archive hold the
/// same records, row for row.
public struct MarketSnapshot: StorableRecord, Codable, Hashable {
    /// The UTC epoch second the poll started (the daemon polls at most once a second, so with the
    /// market ticker it identifies the snapshot).
    public var second: Int64
    /// `KXBTCD-25AUG0817`.
    public var eventTicker: String
    /// `KXBTCD-25AUG0817-T116999.99`.
    public var marketTicker: String
    /// Lifecycle status as Kalshi sends it (`active`, `closed`, `determined`, ...).
    public var status: String
    public var yesBid: DollarAmount
    public var yesAsk: DollarAmount
    public var noBid: DollarAmount
    public var noAsk: DollarAmount
    /// Price of the last traded YES contract.
    public var lastPrice: DollarAmount
    /// Contracts traded in the market's life.
    public var volume: ContractCount
    /// Contracts traded in the last 24 hours, when sent.
    public var volume24h: ContractCount?
    public var openInterest: ContractCount
    /// UTC epoch seconds.
    public var openTime: Int64
    /// UTC epoch seconds.
    public var closeTime: Int64
    /// `greater`, `less`, `between`, ... when sent.
    public var strikeType: String?
    /// The floor strike as its exact JSON number text (`"116999.99"`), when sent.
    public var floorStrike: String?
    /// The cap strike as its exact JSON number text, when sent.
    public var capStrike: String?
    /// The market object as received (compact JSON text, members in the order sent).
    public var rawJSON: String

    public init(second: Int64, eventTicker: String, marketTicker: String, status: String,
                yesBid: DollarAmount, yesAsk: DollarAmount, noBid: DollarAmount, noAsk: DollarAmount,
                lastPrice: DollarAmount, volume: ContractCount, volume24h: ContractCount?, openInterest: ContractCount,
                openTime: Int64, closeTime: Int64, strikeType: String?, floorStrike: String?, capStrike: String?,
                rawJSON: String) {
        self.second = second
        self.eventTicker = eventTicker
        self.marketTicker = marketTicker
        self.status = status
        self.yesBid = yesBid
        self.yesAsk = yesAsk
        self.noBid = noBid
        self.noAsk = noAsk
        self.lastPrice = lastPrice
        self.volume = volume
        self.volume24h = volume24h
        self.openInterest = openInterest
        self.openTime = openTime
        self.closeTime = closeTime
        self.strikeType = strikeType
        self.floorStrike = floorStrike
        self.capStrike = capStrike
        self.rawJSON = rawJSON
    }

    public static let dataset = "market_snapshots"
    public var naturalKey: String { "\(second)|\(marketTicker)" }

    public func validate() throws {
        func fail(_ message: String) -> StorageError {
            StorageError(.invalidRecord, subject: Self.dataset, "\(marketTicker.isEmpty ? "(no ticker)" : marketTicker) at \(UTCTime.iso8601(epochSeconds: second)): \(message)")
        }
        guard !marketTicker.isEmpty, !eventTicker.isEmpty else { throw fail("empty market or event ticker") }
        guard !status.isEmpty else { throw fail("empty status") }
        guard second > 946_684_800, second < 4_102_444_800 else { throw fail("capture second \(second) is outside 2000...2100") }
        for (name, price) in [("yes_bid", yesBid), ("yes_ask", yesAsk), ("no_bid", noBid), ("no_ask", noAsk), ("last_price", lastPrice)] {
            guard price.tenThousandths >= 0, price.tenThousandths < 100_000_000 else { throw fail("\(name) \(price) is out of range") }
        }
        for (name, count) in [("volume", volume), ("volume_24h", volume24h ?? volume), ("open_interest", openInterest)] {
            guard count.hundredths >= 0 else { throw fail("\(name) \(count) is negative") }
        }
        for (name, strike) in [("floor_strike", floorStrike), ("cap_strike", capStrike)] {
            if let strike, !Self.isJSONNumber(strike) { throw fail("\(name) \"\(strike)\" is not a number") }
        }
        // Strings from the network are stored verbatim, except that PostgreSQL text cannot hold a
        // NUL byte (nor jsonb a \u0000 escape): such a record is refused whole, naming the field,
        // before any store sees it, rather than escaped into something Kalshi never sent.
        for (name, text) in [("market_ticker", marketTicker), ("event_ticker", eventTicker), ("status", status), ("strike_type", strikeType ?? "")] {
            guard !text.utf8.contains(0) else { throw fail("\(name) contains a NUL byte, which PostgreSQL text cannot store") }
        }
        guard !rawJSON.isEmpty, !rawJSON.utf8.contains(0) else { throw fail("empty raw JSON or a NUL byte in it") }
        guard !Self.containsEscapedNUL(rawJSON) else { throw fail("raw JSON contains \\u0000, which PostgreSQL jsonb cannot store") }
    }

    /// Whether JSON `text` has a `\u0000` escape (an escaped backslash followed by `u0000` is not one).
    static func containsEscapedNUL(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "\\") else { i += 1; continue }
            if bytes[i + 1] == UInt8(ascii: "u"), i + 5 < bytes.count, bytes[(i + 2)...(i + 5)].allSatisfy({ $0 == UInt8(ascii: "0") }) {
                return true
            }
            i += 2
        }
        return false
    }

    /// Whether `text` is a JSON number (what PostgreSQL `NUMERIC` accepts from the strikes).
    static func isJSONNumber(_ text: String) -> Bool {
        guard case .number = try? OrderedJSON.parse(Array(text.utf8)) else { return false }
        return true
    }

    enum CodingKeys: String, CodingKey {
        case second = "ts", eventTicker = "event_ticker", marketTicker = "market_ticker", status
        case yesBid = "yes_bid", yesAsk = "yes_ask", noBid = "no_bid", noAsk = "no_ask", lastPrice = "last_price"
        case volume, volume24h = "volume_24h", openInterest = "open_interest", openTime = "open_time", closeTime = "close_time"
        case strikeType = "strike_type", floorStrike = "floor_strike", capStrike = "cap_strike", rawJSON = "raw"
    }
}
