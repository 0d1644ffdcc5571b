import StorageKit

/// One `GET /events/{event_ticker}` answer, decoded: the event, the valid market snapshots, and the
/// markets that could not be decoded (each with its ticker and reason).
public struct EventSnapshot: Sendable {
    public var eventTicker: String
    public var title: String
    public var markets: [MarketSnapshot]
    public var invalidMarkets: [MarketDecoder.Invalid]
    /// The response as received (for the legacy latest file).
    public var response: OrderedJSON

    /// Decodes a `GetEventResponse` (`{"event": {...}, "markets": [...]}`; markets nested in the
    /// event with `with_nested_markets=true` are accepted too).
    public static func decode(_ document: OrderedJSON, second: Int64, request: String) throws(KalshiAPIError) -> EventSnapshot {
        func shape(_ message: String) -> KalshiAPIError {
            KalshiAPIError(.unexpectedShape, request: request, message, status: 200, excerpt: String(document.compactText.prefix(200)))
        }
        guard case .object = document else { throw shape("the response is a \(document.typeName), not an object") }
        guard let event = document["event"], case .object = event else { throw shape("missing \"event\" object") }
        guard let ticker = event["event_ticker"]?.stringValue, !ticker.isEmpty else { throw shape("missing \"event.event_ticker\"") }
        let title = event["title"]?.stringValue ?? ""
        let list: [OrderedJSON]
        if let markets = document["markets"], !markets.isNull {
            guard let a = markets.arrayValue else { throw shape("\"markets\" is a \(markets.typeName), not an array") }
            list = a
        } else if let nested = event["markets"]?.arrayValue {
            list = nested
        } else {
            throw shape("missing \"markets\"")
        }
        var valid: [MarketSnapshot] = []
        var invalid: [MarketDecoder.Invalid] = []
        for market in list {
            switch MarketDecoder.decode(market, second: second) {
            case .success(let s):
                // A record the writers would refuse would block the whole batch: set it aside here.
                do {
                    try s.validate()
                    valid.append(s)
                } catch {
                    invalid.append(MarketDecoder.Invalid(ticker: s.marketTicker, reason: "\(error)"))
                }
            case .failure(let e): invalid.append(e)
            }
        }
        return EventSnapshot(eventTicker: ticker, title: title, markets: valid, invalidMarkets: invalid, response: document)
    }
}
