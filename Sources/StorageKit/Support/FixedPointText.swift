/// Exact parsing and formatting of plain decimal text at a fixed number of decimal places, for the
/// fixed-point types (`DollarAmount`, `ContractCount`). No binary floats anywhere.
enum FixedPointText {
    /// Parses `"0.1200"`, `"-3"`, `"10.5"` into an integer count of `10^-scale` units. Digits past
    /// `scale` are accepted only when they are zeros (`"0.120000"`): a value that would need
    /// rounding is rejected, since these amounts must stay exact. Rejects exponents, spaces, `NaN`.
    static func parse(_ text: some StringProtocol, scale: Int) -> Int64? {
        var text = String(text)
        return text.withUTF8 { parse(utf8: $0, scale: scale) }
    }

    /// The parser itself, over the UTF-8 bytes in one pass with no allocation (the bulk decoders
    /// parse millions of these): the grammar of `DecimalText.scan` (one leading sign, at most one
    /// point, at least one digit, integer part below 10^12).
    static func parse(utf8: UnsafeBufferPointer<UInt8>, scale: Int) -> Int64? {
        var negative = false
        var integer: Int64 = 0
        var frac: Int64 = 0
        var fractionDigits = 0
        var sawDigit = false
        var sawDot = false
        for (index, c) in utf8.enumerated() {
            if index == 0, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
                negative = c == UInt8(ascii: "-")
                continue
            }
            if c == UInt8(ascii: ".") {
                guard !sawDot else { return nil }
                sawDot = true
                continue
            }
            guard c >= 48, c <= 57 else { return nil }
            sawDigit = true
            let digit = Int64(c - 48)
            if sawDot {
                if fractionDigits < scale {
                    frac = frac * 10 + digit
                    fractionDigits += 1
                } else if digit != 0 {
                    return nil  // would need rounding
                }
            } else {
                integer = integer * 10 + digit
                guard integer < 1_000_000_000_000 else { return nil }
            }
        }
        guard sawDigit else { return nil }
        for _ in fractionDigits..<scale { frac *= 10 }
        var unit: Int64 = 1
        for _ in 0..<scale { unit *= 10 }
        let value = integer * unit + frac
        return negative ? -value : value
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
