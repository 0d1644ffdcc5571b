import StorageKit
import FixtureServers
import Foundation
import Logging
import PriceFeed

/// Runs `body` against a fresh fixture server and always shuts it down.
func withFixtureServer<T>(script: TickerScript = TickerScript(), mode: WebSocketFixtureMode = .streaming,
                          _ body: (FixtureServer) async throws -> T) async throws -> T {
    let server = try await FixtureServer.start(script: script)
    server.setMode(mode)
    do {
        let result = try await body(server)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    var description: String
}

/// Short polling with a deadline, for socket-level state that offers nothing to await.
func eventually(_ what: String, within: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + within
    while !condition() {
        guard ContinuousClock.now < deadline else { throw DeadlineExceeded(description: "timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Pulls events until one satisfies `match`, returning it and everything seen before it.
func next<S: AsyncIteratorProtocol>(_ iterator: inout S, _ what: String,
                                    where match: (S.Element) -> Bool) async throws -> (S.Element, [S.Element]) where S.Element: Sendable {
    var seen: [S.Element] = []
    while let element = try await iterator.next() {
        if match(element) { return (element, seen) }
        seen.append(element)
    }
    throw DeadlineExceeded(description: "stream ended before \(what)")
}

let testLogger: Logger = {
    var l = Logger(label: "price-feed-tests")
    l.logLevel = .critical
    return l
}()

/// Test feed settings: short backoff, configurable silence.
func testFeed(_ server: FixtureServer, silence: Duration = .seconds(10)) -> CoinbaseTickerFeed {
    CoinbaseTickerFeed(configuration: .init(
        url: server.webSocketURL, silenceTimeout: silence,
        backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
        closeTimeout: .milliseconds(200)), logger: testLogger)
}

extension USDCents {
    init(_ text: String) { self.init(decimalString: text)! }
}
