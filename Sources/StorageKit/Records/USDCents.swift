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
        guard let parts = DecimalText.scan(text, integerBelow: 900_000_000_000_000) else { return nil }
        let fracDigits = parts.fraction
        var cents = parts.integer * 100
        if fracDigits.count > 0 { cents += Int64(fracDigits[0]) * 10 }
        if fracDigits.count > 1 { cents += Int64(fracDigits[1]) }
        if fracDigits.count > 2 {
            let rest = fracDigits[2...]
            let head = rest.first!
            let tailNonZero = rest.dropFirst().contains { $0 != 0 }
            if head > 5 || (head == 5 && (tailNonZero || cents % 2 == 1)) { cents += 1 }
        }
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
