import Foundation

/// Kraken's public-API envelope `{"error":[...],"result":{...}}`, with `result` read by pair key.
/// `result` also holds non-pair members (OHLC's `"last"`), so it is decoded key by key.
struct KrakenResponse<Pair: Decodable>: Decodable {
    var error: [String]
    var result: [String: Pair]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private enum CodingKeys: String, CodingKey { case error, result }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        error = try c.decodeIfPresent([String].self, forKey: .error) ?? []
        result = [:]
        guard error.isEmpty, c.contains(.result) else { return }
        let r = try c.nestedContainer(keyedBy: Key.self, forKey: .result)
        for key in r.allKeys where key.stringValue != "last" {
            result[key.stringValue] = try r.decode(Pair.self, forKey: key)
        }
    }

    /// The pair's payload, or a typed error naming Kraken's own error text.
    func pair(_ key: String, subject: String) throws(PriceFeedError) -> Pair {
        guard error.isEmpty else {
            throw PriceFeedError(.exchangeError, subject: subject, "kraken error: \(error.joined(separator: "; "))")
        }
        guard let value = result[key] else {
            throw PriceFeedError(.malformedMessage, subject: subject, "no result.\(key) in kraken response")
        }
        return value
    }
}

/// A Kraken array element that is either a JSON string or a number (OHLC rows mix both).
enum KrakenScalar: Decodable, Sendable {
    case string(String)
    case integer(Int64)
    case number(Double)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .string(s) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else { self = .number(try c.decode(Double.self)) }
    }

    var text: String? { if case .string(let s) = self { s } else { nil } }
    var int: Int64? {
        switch self {
        case .integer(let i): i
        case .number(let d) where d.rounded() == d && abs(d) < 9e15: Int64(d)
        case .string(let s): Int64(s)
        default: nil
        }
    }
}
