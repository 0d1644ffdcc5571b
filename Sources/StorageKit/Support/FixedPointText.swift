/// Exact parsing and formatting of plain decimal text at a fixed number of decimal places, for the
/// fixed-point types (`DollarAmount`, `ContractCount`). No binary floats anywhere.
enum FixedPointText {
    /// Parses `"0.1200"`, `"-3"`, `"10.5"` into an integer count of `10^-scale` units. Digits past
    /// `scale` are accepted only when they are zeros (`"0.120000"`): a value that would need
    /// rounding is rejected, since these amounts must stay exact. Rejects exponents, spaces, `NaN`,
    /// and integer parts from 10^12 on.
    static func parse(_ text: some StringProtocol, scale: Int) -> Int64? {
        value(DecimalText.scan(text, scale: scale, integerBelow: 1_000_000_000_000), scale: scale)
    }

    /// `parse` over UTF-8 bytes (the bulk decoders).
    static func parse(utf8: UnsafeBufferPointer<UInt8>, scale: Int) -> Int64? {
        value(DecimalText.scan(utf8: utf8, scale: scale, integerBelow: 1_000_000_000_000), scale: scale)
    }

    private static func value(_ parts: DecimalText.Parts?, scale: Int) -> Int64? {
        guard let parts, parts.isExact else { return nil }  // would need rounding
        let value = parts.integer * DecimalText.unit(scale: scale) + parts.fraction
        return parts.negative ? -value : value
    }

    /// `units` as decimal text with exactly `scale` decimals (`1200`, 4 → `"0.1200"`).
    static func format(_ units: Int64, scale: Int) -> String {
        let sign = units < 0 ? "-" : ""
        let m = units.magnitude
        let unit = UInt64(DecimalText.unit(scale: scale))
        guard scale > 0 else { return sign + String(m) }
        let fraction = String(m % unit)
        return sign + String(m / unit) + "." + String(repeating: "0", count: scale - fraction.count) + fraction
    }
}
