/// An exact amount of US dollars in whole cents. BTC prices are stored as this and travel to
/// PostgreSQL as `NUMERIC(14,2)` text (`"64123.45"`), never as a binary float.
///
/// Rounding rule (documented for backfill and the feeds): a value with more than two decimals is
/// rounded to the nearest cent, ties to even (`8500.125` → `8500.12`, `8500.135` → `8500.14`),
/// the IEEE and Python `decimal` default.
public struct USDCents: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var cents: Int64

    public init(cents: Int64) { self.cents = cents }

    /// Parses a decimal string as sent by the exchanges (`"8500.00000000"`, `"43251.2"`, `"-1"`).
    /// Rejects anything that is not a plain decimal (exponents, `NaN`, empty, spaces).
    public init?(decimalString text: some StringProtocol) {
        self.init(DecimalText.scan(text, scale: 2, integerBelow: Self.integerDollarsBelow))
    }

    /// `init(decimalString:)` over UTF-8 bytes (decoders reading from a buffer).
    public init?(utf8: UnsafeBufferPointer<UInt8>) {
        self.init(DecimalText.scan(utf8: utf8, scale: 2, integerBelow: Self.integerDollarsBelow))
    }

    /// Whole dollars accepted from text (the cents then fit an `Int64` with room to spare).
    static let integerDollarsBelow: Int64 = 900_000_000_000_000

    private init?(_ parts: DecimalText.Parts?) {
        guard let parts else { return nil }
        var cents = parts.integer * 100 + parts.fraction
        if parts.next > 5 || (parts.next == 5 && (parts.sticky || cents % 2 == 1)) { cents += 1 }
        self.cents = parts.negative ? -cents : cents
    }

    /// Converts a binary float (legacy SQLite `REAL`) to cents, ties to even. `nil` for NaN and infinities.
    public init?(dollars: Double) {
        guard dollars.isFinite, abs(dollars) < 1e15 else { return nil }
        // Legacy REAL values are the nearest double to a 2-decimal figure; rounding the scaled value
        // recovers that figure exactly.
        self.cents = Int64((dollars * 100).rounded(.toNearestOrEven))
    }

    /// The value as a binary float, for the legacy SQLite `REAL` columns only.
    public var dollars: Double { Double(cents) / 100 }

    /// `"64123.45"`, `"-0.05"`: the exact decimal text (PostgreSQL `NUMERIC` input and output form).
    public var description: String {
        // Digits written into one allocation (COPY encodes a million of these per second).
        var m = cents.magnitude
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var digits: [UInt8] = []
            digits.reserveCapacity(22)
            for i in 0..<2 {
                digits.append(UInt8(48 + m % 10))
                m /= 10
                if i == 1 { digits.append(UInt8(ascii: ".")) }
            }
            repeat {
                digits.append(UInt8(48 + m % 10))
                m /= 10
            } while m > 0
            if cents < 0 { digits.append(UInt8(ascii: "-")) }
            for (i, byte) in digits.reversed().enumerated() { buffer[i] = byte }
            return digits.count
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.cents < b.cents }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = USDCents(decimalString: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a decimal amount: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
