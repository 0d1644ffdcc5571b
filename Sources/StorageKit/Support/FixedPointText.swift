/// Exact parsing and formatting of plain decimal text at a fixed number of decimal places, for the
/// fixed-point types (`DollarAmount`, `ContractCount`). No binary floats anywhere.
enum FixedPointText {
    /// Parses `"0.1200"`, `"-3"`, `"10.5"` into an integer count of `10^-scale` units. Digits past
    /// `scale` are accepted only when they are zeros (`"0.120000"`): a value that would need
    /// rounding is rejected, since these amounts must stay exact. Rejects exponents, spaces, `NaN`.
    static func parse(_ text: some StringProtocol, scale: Int) -> Int64? {
        guard let parts = DecimalText.scan(text, integerBelow: 1_000_000_000_000) else { return nil }
        var frac: Int64 = 0
        for (i, digit) in parts.fraction.enumerated() {
            if i < scale {
                frac = frac * 10 + Int64(digit)
            } else if digit != 0 {
                return nil
            }
        }
        for _ in min(parts.fraction.count, scale)..<scale { frac *= 10 }
        var unit: Int64 = 1
        for _ in 0..<scale { unit *= 10 }
        let value = parts.integer * unit + frac
        return parts.negative ? -value : value
    }

    /// `units` as decimal text with exactly `scale` decimals (`1200`, 4 → `"0.1200"`).
    static func format(_ units: Int64, scale: Int) -> String {
        let sign = units < 0 ? "-" : ""
        let m = units.magnitude
        var unit: UInt64 = 1
        for _ in 0..<scale { unit *= 10 }
        guard scale > 0 else { return sign + String(m) }
        let fraction = String(m % unit)
        return sign + String(m / unit) + "." + String(repeating: "0", count: scale - fraction.count) + fraction
    }
}
