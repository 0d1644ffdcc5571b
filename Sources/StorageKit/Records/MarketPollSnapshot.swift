import Foundation

/// One successful poll of one Kalshi event as a whole: the response body as received and the event
/// title. Its only store is the legacy `latest_market_snapshot.json`, which legacy readers open
/// every second; the per-market facts are `MarketSnapshot` records.
public struct MarketPollSnapshot: StorableRecord, Hashable {
    /// The UTC epoch second the poll started.
    public var second: Int64
    /// The series polled (`KXBTCD`); it names the latest file.
    public var seriesTicker: String
    public var eventTicker: String
    /// The event title, added at the top level of the legacy file as `"title"`.
    public var title: String
    /// The `GET /events/{event_ticker}` response, parsed with member order and number text kept.
    public var response: OrderedJSON

    public init(second: Int64, seriesTicker: String, eventTicker: String, title: String, response: OrderedJSON) {
        self.second = second
        self.seriesTicker = seriesTicker
        self.eventTicker = eventTicker
        self.title = title
        self.response = response
    }

    public static let dataset = "market_poll_snapshots"
    public var naturalKey: String { "\(seriesTicker)|\(second)" }

    public func validate() throws {
        guard !seriesTicker.isEmpty, !eventTicker.isEmpty else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "poll snapshot without a series or event ticker")
        }
        guard case .object = response else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "the response of \(eventTicker) is not a JSON object")
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.second == b.second && a.seriesTicker == b.seriesTicker && a.eventTicker == b.eventTicker && a.title == b.title
            && a.response == b.response
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(second)
        hasher.combine(seriesTicker)
        hasher.combine(eventTicker)
    }

    /// `latest_market_snapshot.json` (the legacy name, for `KXBTCD`) or
    /// `latest_market_snapshot_<series>.json` for other series, written atomically per poll.
    public static var json: JSONMapping<MarketPollSnapshot>? {
        JSONMapping(latest: .init(
            fileName: { LegacyMarketSnapshotFile.fileName(series: $0.seriesTicker) },
            contents: { Data(LegacyMarketSnapshotFile.contents($0).utf8) }
        ))
    }
}

/// The legacy `latest_market_snapshot.json` name and layout.
public enum LegacyMarketSnapshotFile {
    /// The series the legacy watchdog polled; its file keeps the legacy name.
    public static let legacySeries = "KXBTCD"

    public static func fileName(series: String) -> String {
        series == legacySeries ? "latest_market_snapshot.json" : "latest_market_snapshot_\(series.lowercased()).json"
    }

    /// The raw response with a top-level `"title"` appended (replacing one the response might carry),
    /// indented by 2 like the legacy `json.dump(..., indent=2)`, with a final newline.
    public static func contents(_ poll: MarketPollSnapshot) -> String {
        guard case .object(var members) = poll.response else { return poll.response.indentedText() + "\n" }
        members.removeAll { $0.key == "title" }
        members.append(.init("title", .string(poll.title)))
        return OrderedJSON.object(members).indentedText() + "\n"
    }
}
