import Foundation

/// The bundled replay data (`Resources/replay/`): recorded-shaped BTC/USD prices, one per second,
/// and a KXBTCD event template whose `{EVENT}`, `{DATE}`, `{OPEN}`, `{CLOSE}`, `{CREATED}` and
/// `{UPDATED}` placeholders are filled in for the hour being served.
public struct ReplayDataset: Sendable {
    /// Prices as the exchange sends them (`"64246.75000000"`).
    public var prices: [String]
    public var kalshiEventTemplate: String

    public init(directory: String) throws {
        let ticks = try String(contentsOfFile: directory + "/btc_usd_ticks.csv", encoding: .utf8)
        prices = ticks.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: ",")
            guard fields.count == 2, let value = Double(fields[1]), value > 0 else { return nil }
            return String(format: "%.8f", value)
        }
        guard !prices.isEmpty else {
            throw FixtureServerError(description: "\(directory)/btc_usd_ticks.csv holds no prices")
        }
        kalshiEventTemplate = try String(contentsOfFile: directory + "/kalshi_event_template.json", encoding: .utf8)
    }

    /// The `GET /events/{ticker}` body for the hourly event closing at `closeEpoch` (a top of the hour).
    public func kalshiEvent(series: String = "KXBTCD", closeEpoch: Int64) -> (ticker: String, body: String) {
        let zone = TimeZone(identifier: "America/New_York")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let close = Date(timeIntervalSince1970: TimeInterval(closeEpoch))
        let parts = calendar.dateComponents([.year, .month, .day, .hour], from: close)
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let suffix = String(format: "%02d%@%02d%02d", parts.year! % 100, months[parts.month! - 1], parts.day!, parts.hour!)
        let iso = ISO8601DateFormatter()
        let body = kalshiEventTemplate
            .replacingOccurrences(of: "KXBTCD-{EVENT}", with: "\(series)-\(suffix)")
            .replacingOccurrences(of: "{DATE}", with: "\(months[parts.month! - 1]) \(parts.day!), \(parts.year!) at \(parts.hour!)h ET")
            .replacingOccurrences(of: "{OPEN}", with: iso.string(from: close.addingTimeInterval(-3600)))
            .replacingOccurrences(of: "{CLOSE}", with: iso.string(from: close))
            .replacingOccurrences(of: "{CREATED}", with: iso.string(from: close.addingTimeInterval(-7200)))
            .replacingOccurrences(of: "{UPDATED}", with: iso.string(from: Date()))
        return ("\(series)-\(suffix)", body)
    }
}
