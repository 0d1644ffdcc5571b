import StorageKit

/// A JSON decimal sent as a string (`"43251.23"`), parsed to exact cents; rejects anything that
/// is not a positive decimal.
struct PositiveCents: Decodable, Sendable {
    var value: USDCents

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let cents = USDCents(decimalString: text), cents.cents > 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "price \(text) is not a positive decimal"))
        }
        value = cents
    }
}
