/// One price of the series: the BTC/USD price in exact cents for one UTC epoch second.
public struct PricePoint: Sendable, Hashable, Codable {
    /// UTC epoch second the price stands for.
    public var second: Int64
    /// The price in whole US cents.
    public var cents: Int64

    /// A price of `cents` at UTC epoch second `second`.
    public init(second: Int64, cents: Int64) {
        self.second = second
        self.cents = cents
    }
}
