import NIOCore
import Synchronization

/// The shared, scriptable state behind a `FixtureServer`: route table, websocket mode, ticker
/// script, open websocket channels and what was received. Handlers on any event loop and the test
/// thread reach it through one `Mutex`, so it is `Sendable` as is.
final class FixtureCore: Sendable {
    struct State {
        var routes: [HTTPFixtureRoute: HTTPFixtureResponse] = [:]
        /// Answers computed per request (paginated APIs, signature checks), tried before the routes.
        var responder: (@Sendable (HTTPFixtureRequest) -> HTTPFixtureResponse?)?
        var statusOverride: Int?
        var requests: [HTTPFixtureRequest] = []
        /// When each recorded request was received in full (Unix time, seconds), beside `requests`.
        var requestArrivals: [Double] = []
        var recordRequests = true
        var mode: WebSocketFixtureMode = .streaming
        var script: TickerScript
        var nextTradeId: Int64
        var nextSequence: Int64
        var priceIndex = 0
        var channels: [Int: any Channel] = [:]
        var nextChannelId = 0
        var acceptedConnections = 0
        var receivedTexts: [String] = []
        var receivedPongs: [[UInt8]] = []
        /// Status codes of the close frames clients sent (`nil` for a close without one).
        var receivedCloseCodes: [UInt16?] = []
        /// Frames from clients without a mask (RFC 6455 §5.1 requires every one to be masked).
        var unmaskedClientFrames = 0
    }

    let state: Mutex<State>

    init(script: TickerScript) {
        state = Mutex(State(script: script, nextTradeId: script.firstTradeId, nextSequence: script.firstSequence))
    }

    /// The response for a request: the responder's when it answers, else by exact query first,
    /// then any-query route, else 404.
    func respond(to request: HTTPFixtureRequest) -> HTTPFixtureResponse {
        let responder = state.withLock { $0.statusOverride == nil ? $0.responder : nil }
        if let responder, let response = responder(request) { return response }
        return respond(method: request.method, path: request.path, query: request.query)
    }

    /// The response of the route table, by exact query first, then any-query route, else 404.
    func respond(method: String, path: String, query: String) -> HTTPFixtureResponse {
        state.withLock { s in
            let exact = HTTPFixtureRoute(method, path, query: query)
            let any = HTTPFixtureRoute(method, path)
            var response = s.routes[exact] ?? s.routes[any]
                ?? .json(#"{"message":"NotFound"}"#, status: 404)
            if let status = s.statusOverride {
                response = .json(#"{"message":"fixture forced status \#(status)"}"#, status: status, delay: response.delay)
            }
            return response
        }
    }

    /// The next ticker text of the script, advancing trade id, sequence and price.
    func nextTicker(now: Int64) -> String {
        state.withLock { s in
            let price = s.script.prices[s.priceIndex % s.script.prices.count]
            s.priceIndex += 1
            defer { s.nextTradeId += 1; s.nextSequence += 1 }
            return CoinbasePayloads.ticker(price: price, tradeId: s.nextTradeId, sequence: s.nextSequence,
                                           time: CoinbasePayloads.timestamp(epochMicroseconds: now),
                                           productId: s.script.productId)
        }
    }

    func nextHeartbeat(now: Int64) -> String {
        state.withLock { s in
            defer { s.nextSequence += 1 }
            return CoinbasePayloads.heartbeat(sequence: s.nextSequence, lastTradeId: s.nextTradeId - 1,
                                              time: CoinbasePayloads.timestamp(epochMicroseconds: now),
                                              productId: s.script.productId)
        }
    }
}
