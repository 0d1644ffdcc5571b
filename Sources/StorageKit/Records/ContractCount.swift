/// An exact number of Kalshi contracts in hundredths (volume, open interest). Kalshi sends counts
/// either as legacy integers (`"volume": 10`) or as fixed-point strings (`"volume_fp": "10.00"`,
/// fractional on markets with fractional trading); stored as PostgreSQL `NUMERIC(…,2)`.
public struct ContractCount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Number of 1/100 contracts.
    public var hundredths: Int64

    /// Decimal places of the text form.
    public static let scale = 2

    public init(hundredths: Int64) { self.hundredths = hundredths }

    /// A legacy whole-contract count.
    public init(contracts: Int64) { self.hundredths = contracts * 100 }

    /// Parses a fixed-point count string (`"10.00"`, `"2.5"`, `"10"`). `nil` for anything that is
    /// not a plain decimal, or that is finer than 0.01 contracts.
    public init?(decimalString text: some StringProtocol) {
        guard let units = FixedPointText.parse(text, scale: Self.scale) else { return nil }
        self.hundredths = units
    }

    /// The same, from the text's UTF-8 bytes (a bulk decoder reading a response in place).
    public init?(utf8 text: UnsafeBufferPointer<UInt8>) {
        guard let units = FixedPointText.parse(utf8: text, scale: Self.scale) else { return nil }
        self.hundredths = units
    }

    /// `"10.00"`: the exact decimal text.
    public var description: String { FixedPointText.format(hundredths, scale: Self.scale) }

    public static func < (a: Self, b: Self) -> Bool { a.hundredths < b.hundredths }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = ContractCount(decimalString: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a 2-decimal contract count: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
