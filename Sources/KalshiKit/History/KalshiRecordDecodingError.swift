/// A Kalshi history object (fill, settlement, position, market, candlestick, trade) that does not
/// have the documented shape: which object, which member, and what was wrong.
public struct KalshiRecordDecodingError: Error, Sendable, CustomStringConvertible {
    /// `fill`, `settlement`, ...
    public var kind: String
    /// The member (`yes_price_dollars`), or `$` for the object itself.
    public var member: String
    public var message: String

    public init(kind: String, member: String, _ message: String) {
        self.kind = kind
        self.member = member
        self.message = message
    }

    public var description: String { "\(kind).\(member): \(message)" }
}
