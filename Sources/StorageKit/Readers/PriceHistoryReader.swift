/// Reads the 1-second BTC price history, from whichever store `services.json` names. The analysis
/// daemon and `recioctl` (parity, verify) use it; the same history gives the same ticks from
/// either store.
public protocol PriceHistoryReader: Sendable {
    /// `sqlite` or `postgres`.
    var name: String { get }
    /// Ticks with `from <= second < to`, ascending by second.
    func ticks(from: Int64, to: Int64) async throws -> [PriceTick]
    /// The newest tick, if any.
    func latest() async throws -> PriceTick?
    /// Releases the connection or file.
    func close() async
}
