/// An exact Kalshi money amount in ten-thousandths of a dollar (the project convention for Kalshi
/// prices: 4 decimal places, PostgreSQL `NUMERIC(…,4)`). Kalshi sends prices either as legacy
/// integer cents (`"yes_bid": 12`) or as fixed-point dollar strings (`"yes_bid_dollars": "0.1200"`);
/// both become the same value here.
public struct DollarAmount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Number of 1/10000 dollars.
    public var tenThousandths: Int64

    /// Decimal places of the text form.
    public static let scale = 4

    public init(tenThousandths: Int64) { self.tenThousandths = tenThousandths }

    /// A legacy integer-cent amount (`12` → `0.1200`).
    public init(cents: Int64) { self.tenThousandths = cents * 100 }

    /// Parses a fixed-point dollar string (`"0.1200"`, `"0.56"`, `"1"`). `nil` for anything that is
    /// not a plain decimal, or that has non-zero digits past the fourth decimal (it would need rounding).
    public init?(decimalString text: some StringProtocol) {
        guard let units = FixedPointText.parse(text, scale: Self.scale) else { return nil }
        self.tenThousandths = units
    }

    /// The same, from the text's UTF-8 bytes (a bulk decoder reading a response in place).
    public init?(utf8 text: UnsafeBufferPointer<UInt8>) {
        guard let units = FixedPointText.parse(utf8: text, scale: Self.scale) else { return nil }
        self.tenThousandths = units
    }

    /// `"0.1200"`: the exact decimal text (PostgreSQL `NUMERIC` input form).
    public var description: String { FixedPointText.format(tenThousandths, scale: Self.scale) }

    public static func < (a: Self, b: Self) -> Bool { a.tenThousandths < b.tenThousandths }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = DollarAmount(decimalString: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a 4-decimal dollar amount: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
