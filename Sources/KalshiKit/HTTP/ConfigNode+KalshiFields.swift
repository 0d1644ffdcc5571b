import Foundation
import ServiceKit

/// The config fields both Kalshi daemons read the same way, with the same errors.
extension ConfigNode {
    /// An http(s) API root without a query, e.g. `https://api.elections.kalshi.com/trade-api/v2`.
    func kalshiBaseURL() throws -> URL {
        let text = try nonEmptyString()
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              url.host != nil, url.query == nil else {
            throw error(.invalidValue, "expected an http(s) URL without a query, found \"\(text)\"")
        }
        return url
    }

    /// A non-empty list of distinct series tickers (upper-case letters and digits).
    func kalshiSeriesList() throws -> [String] {
        let items = try array()
        guard !items.isEmpty else { throw error(.invalidValue, "expected at least one series") }
        var series: [String] = []
        for item in items {
            let s = try item.nonEmptyString()
            guard s.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }) else {
                throw item.error(.invalidValue, "a series ticker is upper-case letters and digits (\"KXBTCD\"), found \"\(s)\"")
            }
            guard !series.contains(s) else { throw item.error(.invalidValue, "series \"\(s)\" listed twice") }
            series.append(s)
        }
        return series
    }
}
