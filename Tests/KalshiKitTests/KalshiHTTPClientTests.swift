import FixtureServers
import Foundation
import Testing
import StorageKit
@testable import KalshiKit

@Suite(.timeLimit(.minutes(1)))
struct KalshiHTTPClientTests {
    static let event = EventTicker(series: "KXBTCD", at: 1_754_683_200)
    static let path = "/trade-api/v2/events/KXBTCD-25AUG0817"
    static var route: HTTPFixtureRoute { HTTPFixtureRoute("GET", path) }

    struct StaticHook: KalshiRequestHook {
        func headers(method: String, path: String, at date: Date) async throws -> [(name: String, value: String)] {
            [("KALSHI-ACCESS-KEY", "key-1"), ("X-Signed-Path", "\(method) \(path)")]
        }
    }

    func withServer(_ body: (FixtureServer) async throws -> Void) async throws {
        let server = try await FixtureServer.start()
        do {
            try await body(server)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    func client(_ server: FixtureServer, clock: any MonotonicClock = SystemMonotonicClock(), attempts: Int = 3,
                timeout: Duration = .seconds(2), hook: (any KalshiRequestHook)? = nil) -> KalshiHTTPClient {
        KalshiHTTPClient(
            options: KalshiClientOptions(baseURL: URL(string: server.httpBaseURL + "/trade-api/v2")!, requestTimeout: timeout,
                                         backoff: RetryBackoff(maxAttempts: attempts, initialDelay: .milliseconds(100), maxDelay: .seconds(1))),
            hook: hook, clock: clock, jitter: { 1 }, logger: quietLogger())
    }

    @Test func decodesAnEventAndSendsTheHookHeaders() async throws {
        try await withServer { server in
            server.setRoute(Self.route, .json(KalshiFixtures.eventResponse(Self.event, markets: 4)))
            let api = KalshiMarketAPI(client: client(server, hook: StaticHook()))
            guard case .event(let snapshot) = try await api.event("KXBTCD-25AUG0817", second: 1_754_683_300) else {
                Issue.record("expected an event"); return
            }
            #expect(snapshot.markets.count == 4)
            let request = try #require(server.requests.last)
            #expect(request.headers["accept"] == "application/json")
            #expect(request.headers["kalshi-access-key"] == "key-1")
            #expect(request.headers["x-signed-path"] == "GET /trade-api/v2/events/KXBTCD-25AUG0817")
        }
    }

    @Test func notFoundIsNoOpenEvent() async throws {
        try await withServer { server in
            server.setRoute(Self.route, .json(KalshiFixtures.errorBody(code: "not_found", message: "event not found"), status: 404))
            let api = KalshiMarketAPI(client: client(server))
            guard case .noOpenEvent(let ticker) = try await api.event("KXBTCD-25AUG0817", second: 1) else {
                Issue.record("expected no open event"); return
            }
            #expect(ticker == "KXBTCD-25AUG0817")
            #expect(server.requests.count == 1)
        }
    }

    @Test func honoursRetryAfterOn429() async throws {
        try await withServer { server in
            let clock = ManualMonotonicClock()
            server.setRoute(Self.route, .json(KalshiFixtures.errorBody(code: "too_many_requests", message: "slow down"), status: 429,
                                              headers: [("Retry-After", "3")]))
            let c = client(server, clock: clock)
            let running = Task { try await c.get("/events/KXBTCD-25AUG0817") }
            let deadline = await clock.nextSleeper()
            #expect(deadline == .seconds(3))  // exactly Retry-After, no jitter
            #expect(server.requests.count == 1)
            server.setRoute(Self.route, .json(KalshiFixtures.eventResponse(Self.event)))
            clock.advance(by: .seconds(3))
            let response = try await running.value
            #expect(response.status == 200)
            #expect(server.requests.count == 2)
            #expect(c.statistics.rateLimited == 1)
            #expect(c.statistics.retries == 1)
        }
    }

    @Test func retries5xxWithExponentialBackoffThenFails() async throws {
        try await withServer { server in
            let clock = ManualMonotonicClock()
            server.setRoute(Self.route, .json(KalshiFixtures.errorBody(code: "internal_server_error", message: "boom"), status: 500))
            let c = client(server, clock: clock, attempts: 3)
            let running = Task { try await c.get("/events/KXBTCD-25AUG0817") }
            // Full jitter with the draw fixed at 1: the ceilings, 100 ms then 200 ms.
            let first = await clock.nextSleeper()
            #expect(first == .milliseconds(100))
            clock.advance(to: first)
            let second = await clock.nextSleeper()
            #expect(second == .milliseconds(300))
            clock.advance(to: second)
            guard case .failure(let any) = await running.result, let error = any as? KalshiAPIError else {
                Issue.record("expected a KalshiAPIError"); return
            }
            #expect(error.code == .httpStatus)
            #expect(error.status == 500)
            #expect(error.message.contains("internal_server_error"))
            #expect(server.requests.count == 3)
            #expect(c.statistics.failures["http_status"] == 1)
        }
    }

    @Test(arguments: [
        ("html", KalshiAPIError.Code.notJSON, 200),
        ("truncated", .truncatedJSON, 200),
        ("error_object", .apiError, 200),
        ("bad_request", .httpStatus, 400),
    ])
    func unusableBodiesAreTypedErrorsWithoutRetry(kind: String, code: KalshiAPIError.Code, status: Int) async throws {
        try await withServer { server in
            let full = KalshiFixtures.eventResponse(Self.event)
            let response: HTTPFixtureResponse
            switch kind {
            case "html": response = HTTPFixtureResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array(KalshiFixtures.htmlErrorPage.utf8))
            case "truncated": response = .json(String(full.prefix(full.count / 2)))
            case "error_object": response = .json(KalshiFixtures.errorBody(code: "internal_error", message: "try later"))
            default: response = .json(KalshiFixtures.errorBody(code: "bad_request", message: "bad ticker"), status: 400)
            }
            server.setRoute(Self.route, response)
            let c = client(server)
            do throws(KalshiAPIError) {
                _ = try await c.get("/events/KXBTCD-25AUG0817")
                Issue.record("expected \(code)")
            } catch {
                #expect(error.code == code)
                #expect(error.status == status)
                #expect(!(error.excerpt ?? "").isEmpty)
                if kind == "html" { #expect(error.excerpt?.contains("502 Bad Gateway") == true) }
            }
            #expect(server.requests.count == 1)
            #expect(c.statistics.failureCount == 1)
        }
    }

    @Test func aSlowResponseTimesOutAtTheSubSecondLimit() async throws {
        try await withServer { server in
            server.setRoute(Self.route, .json(KalshiFixtures.eventResponse(Self.event), delay: .seconds(3)))
            let c = client(server, attempts: 1, timeout: .milliseconds(300))
            let start = ContinuousClock.now
            do throws(KalshiAPIError) {
                _ = try await c.get("/events/KXBTCD-25AUG0817")
                Issue.record("expected a timeout")
            } catch {
                #expect(error.code == .timeout)
            }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(250) && elapsed < .milliseconds(1500), "took \(elapsed)")
        }
    }

    @Test func tokenBucketLimitsTheRate() async throws {
        let clock = ManualMonotonicClock()
        let bucket = TokenBucket(ratePerSecond: 2, clock: clock)
        try await bucket.acquire()
        try await bucket.acquire()
        let third = Task { try await bucket.acquire() }
        #expect(await clock.nextSleeper() == .milliseconds(500))
        clock.advance(by: .milliseconds(500))
        try await third.value
        await bucket.pause(until: .seconds(5))
        let fourth = Task { try await bucket.acquire() }
        #expect(await clock.nextSleeper() == .seconds(5))
        clock.advance(to: .seconds(5))
        try await fourth.value
    }

    @Test func retryAfterForms() {
        #expect(KalshiHTTPClient.parseRetryAfter("2") == .seconds(2))
        #expect(KalshiHTTPClient.parseRetryAfter(" 0 ") == .zero)
        #expect(KalshiHTTPClient.parseRetryAfter("soon") == nil)
        let past = KalshiHTTPClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")
        #expect(past == .zero)
    }
}
