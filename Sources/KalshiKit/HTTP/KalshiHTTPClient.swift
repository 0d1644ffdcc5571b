import Foundation
import NetworkKit
import Logging
import StorageKit
import Synchronization

/// Reads JSON from the Kalshi REST API over `HTTPFetcher` (SwiftNIO; `URLSession` on Linux pulled
/// libcurl and its threads into the daemon: 3-4 MiB of resident memory in this one, as measured).
///
/// Every request goes through the client-side token bucket, gets the hook's headers, and is bounded
/// by `requestTimeout`. Transport failures, timeouts and 5xx are retried with exponential backoff and
/// full jitter; a 429 waits for `Retry-After` (pausing the bucket for every caller). A body that is
/// not JSON (an HTML error page), truncated JSON, or an `error` object becomes a `KalshiAPIError`
/// carrying the status and an excerpt; each failed request is logged and counted.
public final class KalshiHTTPClient: Sendable {
    public let options: KalshiClientOptions
    private let fetcher: HTTPFetcher
    private let bucket: TokenBucket
    private let clock: any MonotonicClock
    private let hook: (any KalshiRequestHook)?
    private let jitter: @Sendable () -> Double
    private let logger: Logger
    private let stats = Mutex(KalshiClientStatistics())

    /// - Parameters:
    ///   - hook: adds headers per attempt (signing, later); `nil` for the public endpoints.
    ///   - jitter: the backoff's random draw in `[0, 1]` (injected for tests).
    public init(options: KalshiClientOptions, hook: (any KalshiRequestHook)? = nil,
                clock: any MonotonicClock = SystemMonotonicClock(),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
                logger: Logger) {
        self.options = options
        self.hook = hook
        self.clock = clock
        self.jitter = jitter
        self.logger = logger
        self.bucket = TokenBucket(ratePerSecond: options.readsPerSecond, clock: clock)
        self.fetcher = HTTPFetcher.shared
    }

    /// The counters so far.
    public var statistics: KalshiClientStatistics { stats.withLock { $0 } }

    /// `GET {baseURL}{path}?{query}` and the parsed JSON body.
    /// - Parameter path: relative to the base URL, starting with `/` (`/events/KXBTCD-25AUG0817`).
    public func get(_ path: String, query: [URLQueryItem] = []) async throws(KalshiAPIError) -> KalshiResponse {
        try await get(path, query: query, body: Self.document)
    }

    /// `GET {baseURL}{path}?{query}` with the 2xx body handed to `body` (with the status and the
    /// request's label for errors) instead of parsed into a tree: bulk pages are read straight
    /// from their bytes. `body` throws the `KalshiAPIError` of a body it cannot read (`notJSON`,
    /// `truncatedJSON`, `apiError` for an `error` object, as `get` does); the same retries apply.
    public func get<T>(_ path: String, query: [URLQueryItem] = [],
                       body: (_ data: Data, _ status: Int, _ label: String) throws(KalshiAPIError) -> T) async throws(KalshiAPIError) -> T {
        let label = "GET \(path)"
        do throws(KalshiAPIError) {
            return try await getWithRetries(path, query: query, label: label, body: body)
        } catch {
            stats.withLock { $0.failures[error.code.rawValue, default: 0] += 1 }
            if error.code != .notFound {
                logger.warning("Kalshi request failed", metadata: [
                    "kalshi.request": .string(label), "kalshi.error": .string(error.code.rawValue),
                    "http.status": .string(error.status.map(String.init) ?? "-"),
                    "kalshi.excerpt": .string(error.excerpt ?? ""), "error": .string(error.message),
                ])
            }
            throw error
        }
    }

    private func getWithRetries<T>(_ path: String, query: [URLQueryItem], label: String,
                                   body: (Data, Int, String) throws(KalshiAPIError) -> T) async throws(KalshiAPIError) -> T {
        let url = try makeURL(path, query: query, label: label)
        var attempt = 0
        while true {
            do {
                try await bucket.acquire()
            } catch {
                throw KalshiAPIError(.transport, request: label, "cancelled while waiting for the rate limiter")
            }
            stats.withLock { $0.attempts += 1 }
            let failure: KalshiAPIError
            var retryAfter: Duration?
            do {
                let (status, data) = try await self.attempt(url, label: label)
                do throws(KalshiAPIError) {
                    return try body(data, status, label)
                } catch {
                    throw KalshiAPIAttemptFailure(error)
                }
            } catch let error as KalshiAPIAttemptFailure {
                failure = error.error
                retryAfter = error.retryAfter
            } catch {
                throw KalshiAPIError(.transport, request: label, "\(error)")
            }
            attempt += 1
            if failure.code == .rateLimited {
                // Honoured for every request of this client, also when this one gives up now.
                let asked = min(retryAfter ?? options.backoff.ceiling(attempt: attempt - 1), options.backoff.maxRetryAfter)
                await bucket.pause(until: clock.now() + asked)
            }
            guard failure.isRetryable, attempt < options.backoff.maxAttempts, !Task.isCancelled else { throw failure }
            let wait: Duration
            if failure.code == .rateLimited {
                let asked = retryAfter ?? options.backoff.ceiling(attempt: attempt - 1)
                guard asked <= options.backoff.maxRetryAfter else { throw failure }
                wait = asked
            } else {
                wait = options.backoff.delay(attempt: attempt - 1, fraction: jitter())
            }
            stats.withLock { $0.retries += 1 }
            logger.debug("retrying Kalshi request", metadata: [
                "kalshi.request": .string(label), "kalshi.error": .string(failure.code.rawValue),
                "retry.attempt": .stringConvertible(attempt), "retry.wait": .string("\(wait)"),
            ])
            do {
                try await clock.sleep(until: clock.now() + wait)
            } catch {
                throw failure
            }
        }
    }

    private func makeURL(_ path: String, query: [URLQueryItem], label: String) throws(KalshiAPIError) -> URL {
        let base = options.baseURL.absoluteString.hasSuffix("/") ? String(options.baseURL.absoluteString.dropLast()) : options.baseURL.absoluteString
        guard var components = URLComponents(string: base + path) else {
            throw KalshiAPIError(.transport, request: label, "cannot form a URL from \(base) and \(path)")
        }
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else {
            throw KalshiAPIError(.transport, request: label, "cannot form a URL from \(base) and \(path)")
        }
        return url
    }

    /// One attempt: send, wait at most `requestTimeout`, classify the answer.
    private func attempt(_ url: URL, label: String) async throws -> (status: Int, body: Data) {
        var headers = [("Accept", "application/json"), ("User-Agent", "recio-data-services")]
        if let hook {
            do {
                for header in try await hook.headers(method: "GET", path: url.path, at: Date()) {
                    headers.append((header.name, header.value))
                }
            } catch {
                throw KalshiAPIAttemptFailure(KalshiAPIError(.requestHook, request: label, "the request hook failed: \(error)"))
            }
        }
        let timeout = options.requestTimeout
        let response: HTTPFetchResponse
        do throws(HTTPFetchError) {
            response = try await fetcher.get(url, headers: headers, timeout: timeout)
        } catch {
            switch error.code {
            case .timeout:
                throw KalshiAPIAttemptFailure(KalshiAPIError(.timeout, request: label, "no complete response within \(timeout)"))
            case .cancelled:
                throw KalshiAPIAttemptFailure(KalshiAPIError(.transport, request: label, "cancelled"))
            default:
                throw KalshiAPIAttemptFailure(KalshiAPIError(.transport, request: label, "GET failed: \(error.message)"))
            }
        }
        let status = response.status
        let data = Data(response.body)
        // A 2xx body is read by the caller; an excerpt is only made for an error.
        if (200..<300).contains(status) { return (status, data) }
        let excerpt = KalshiAPIError.excerpt(of: data)
        switch status {
        case 429:
            stats.withLock { $0.rateLimited += 1 }
            let retryAfter = response.header("Retry-After").flatMap(Self.parseRetryAfter)
            throw KalshiAPIAttemptFailure(KalshiAPIError(.rateLimited, request: label, "rate limited", status: status, excerpt: excerpt),
                                          retryAfter: retryAfter)
        case 404:
            throw KalshiAPIAttemptFailure(KalshiAPIError(.notFound, request: label, "not found", status: status, excerpt: excerpt))
        default:
            throw KalshiAPIAttemptFailure(KalshiAPIError(.httpStatus, request: label, Self.describeErrorBody(data) ?? "unexpected status",
                                                         status: status, excerpt: excerpt))
        }
    }

    /// A 2xx body parsed into a tree: not JSON, truncated JSON and an `error` object are errors.
    static func document(_ data: Data, status: Int, label: String) throws(KalshiAPIError) -> KalshiResponse {
        let document: OrderedJSON
        do throws(OrderedJSONError) {
            document = try OrderedJSON.parse(data)
        } catch {
            throw bodyError(error, data, status: status, label: label)
        }
        if let error = document["error"], !error.isNull {
            throw apiError(error, data, status: status, label: label)
        }
        return KalshiResponse(status: status, document: document, body: data)
    }

    /// The error of a 2xx body that is not JSON (`notJSON`) or ends early (`truncatedJSON`).
    public static func bodyError(_ error: OrderedJSONError, _ data: Data, status: Int, label: String) -> KalshiAPIError {
        let code: KalshiAPIError.Code = error.code == .truncated ? .truncatedJSON : .notJSON
        return KalshiAPIError(code, request: label, error.description, status: status, excerpt: KalshiAPIError.excerpt(of: data))
    }

    /// The error of a 2xx body holding an `error` object.
    public static func apiError(_ error: OrderedJSON, _ data: Data, status: Int, label: String) -> KalshiAPIError {
        KalshiAPIError(.apiError, request: label, describeErrorObject(error), status: status, excerpt: KalshiAPIError.excerpt(of: data))
    }

    /// `Retry-After` as delta-seconds (`"2"`) or an HTTP date.
    static func parseRetryAfter(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        let seconds = max(0, date.timeIntervalSinceNow)
        return .milliseconds(Int64(seconds * 1000))
    }

    /// `code: message` of an error object (`{"code": "...", "message": "..."}`).
    static func describeErrorObject(_ error: OrderedJSON) -> String {
        let code = error["code"]?.stringValue
        let message = error["message"]?.stringValue ?? error.stringValue
        switch (code, message) {
        case let (c?, m?): return "API error \(c): \(m)"
        case let (c?, nil): return "API error \(c)"
        case let (nil, m?): return "API error: \(m)"
        default: return "API error \(error.compactText.prefix(200))"
        }
    }

    /// The error of a non-2xx JSON body (`{"error": {...}}` or a flat `ErrorResponse`), if any.
    static func describeErrorBody(_ data: Data) -> String? {
        guard let document = try? OrderedJSON.parse(data) else { return nil }
        if let error = document["error"], !error.isNull { return describeErrorObject(error) }
        if document["code"] != nil || document["message"] != nil { return describeErrorObject(document) }
        return nil
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// One failed attempt, with the server's `Retry-After` when it sent one.
struct KalshiAPIAttemptFailure: Error {
    var error: KalshiAPIError
    var retryAfter: Duration?
    init(_ error: KalshiAPIError, retryAfter: Duration? = nil) {
        self.error = error
        self.retryAfter = retryAfter
    }
}
