/// The one scanner for plain decimal text (`"8500.00000000"`, `"-3"`, `"+0.12"`) that every exact
/// decimal type parses with, in one pass over the UTF-8 bytes with no allocation (the bulk decoders
/// parse millions of these). It keeps the fraction digits up to the type's scale; each type then
/// applies its own policy to the digits past it (`USDCents` rounds ties to even, the Kalshi
/// fixed-point types reject anything that would round).
enum DecimalText {
    /// The parts of a decimal literal at a scale.
    struct Parts {
        var negative: Bool
        /// The digits before the point, as a number.
        var integer: Int64
        /// The first `scale` digits after the point as a number, padded with zeros (`.5` at scale 2 is 50).
        var fraction: Int64
        /// The digit right after those (0 when there is none): the rounding digit.
        var next: UInt8
        /// Whether any digit after `next` is not zero.
        var sticky: Bool

        /// No digit past the scale is significant: the value is exact at the scale.
        var isExact: Bool { next == 0 && !sticky }
    }

    /// Splits `utf8` into sign, integer and fraction digits; `nil` for anything that is not a plain
    /// decimal (exponents, spaces, `NaN`, two points, no digit) or whose integer part is not below
    /// `integerBelow`.
    static func scan(utf8: UnsafeBufferPointer<UInt8>, scale: Int, integerBelow limit: Int64) -> Parts? {
        var parts = Parts(negative: false, integer: 0, fraction: 0, next: 0, sticky: false)
        var fractionDigits = 0
        var sawDigit = false
        var sawDot = false
        for (index, c) in utf8.enumerated() {
            if index == 0, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
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
            let digit = c - 48
            if sawDot {
                if fractionDigits < scale {
                    parts.fraction = parts.fraction * 10 + Int64(digit)
                } else if fractionDigits == scale {
                    parts.next = digit
                } else if digit != 0 {
                    parts.sticky = true
                }
                fractionDigits += 1
            } else {
                let (m, o1) = parts.integer.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(digit))
                guard !o1, !o2, a < limit else { return nil }
                parts.integer = a
            }
        }
        guard sawDigit else { return nil }
        for _ in min(fractionDigits, scale)..<scale { parts.fraction *= 10 }
        return parts
    }

    /// `scan(utf8:)` of a string.
    static func scan(_ text: some StringProtocol, scale: Int, integerBelow limit: Int64) -> Parts? {
        if let parts = text.utf8.withContiguousStorageIfAvailable({ scan(utf8: $0, scale: scale, integerBelow: limit) }) { return parts }
        var copy = String(text)
        return copy.withUTF8 { scan(utf8: $0, scale: scale, integerBelow: limit) }
    }

    /// `10^scale`.
    static func unit(scale: Int) -> Int64 {
        var unit: Int64 = 1
        for _ in 0..<scale { unit *= 10 }
        return unit
    }
}
