/// The one scanner for plain decimal text (`"8500.00000000"`, `"-3"`, `"+0.12"`) that every exact
/// decimal type parses with; each type then applies its own policy to the fraction digits
/// (`USDCents` rounds ties to even, the Kalshi fixed-point types reject anything that would round).
enum DecimalText {
    /// The parts of a decimal literal.
    struct Parts {
        var negative: Bool
        /// The digits before the point, as a number.
        var integer: Int64
        /// The digits after the point, each 0...9, in order.
        var fraction: [UInt8]
    }

    /// Splits `text` into sign, integer and fraction digits; `nil` for anything that is not a plain
    /// decimal (exponents, spaces, `NaN`, two points, no digit) or whose integer part is not below
    /// `integerBelow`.
    static func scan(_ text: some StringProtocol, integerBelow limit: Int64) -> Parts? {
        var parts = Parts(negative: false, integer: 0, fraction: [])
        var sawDigit = false
        var sawDot = false
        var first = true
        for c in text.utf8 {
            defer { first = false }
            if first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
                parts.negative = c == UInt8(ascii: "-")
                continue
            }
            if c == UInt8(ascii: ".") {
                guard !sawDot else { return nil }
                sawDot = true
                continue
            }
            guard c >= 48, c <= 57 else { return nil }
            sawDigit = true
            if sawDot {
                parts.fraction.append(c - 48)
            } else {
                let (m, o1) = parts.integer.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
                guard !o1, !o2, a < limit else { return nil }
                parts.integer = a
            }
        }
        return sawDigit ? parts : nil
    }
}
