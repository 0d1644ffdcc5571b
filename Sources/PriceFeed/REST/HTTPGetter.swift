import Foundation
import StorageKit
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A plain JSON `GET` over `URLSession` (FoundationNetworking on Linux), with a per-request
/// timeout, that turns transport failures and non-2xx statuses into `PriceFeedError`s carrying
/// the status and a short excerpt of the body.
struct HTTPGetter: Sendable {
    /// The response of a successful (2xx) request.
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        /// A header by case-insensitive name.
        func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    let session: URLSession
    let timeout: Duration

    init(timeout: Duration) {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let configuration = URLSessionConfiguration.ephemeral
        // FoundationNetworking on Linux truncates these to whole seconds (0.8 s becomes an
        // immediate -1001), so URLSession gets a whole-second backstop and `get` enforces the
        // exact timeout itself.
        configuration.timeoutIntervalForRequest = max(1, seconds.rounded(.up))
        configuration.timeoutIntervalForResource = max(1, seconds.rounded(.up))
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        self.session = URLSession(configuration: configuration)
        self.timeout = timeout
    }

    func get(_ url: URL) async throws(PriceFeedError) -> Response {
        var request = URLRequest(url: url)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("recio-data-services", forHTTPHeaderField: "User-Agent")
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await withThrowingTaskGroup(of: (Data, URLResponse)?.self) { group in
                group.addTask { [session, request] in try await session.data(for: request) }
                group.addTask { [timeout] in
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw URLError(.timedOut)
                }
                return result
            }
        } catch let error as URLError where error.code == .timedOut {
            throw PriceFeedError(.transport, subject: url.absoluteString, "no response within \(timeout)")
        } catch {
            throw PriceFeedError(.transport, subject: url.absoluteString, "GET failed: \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw PriceFeedError(.transport, subject: url.absoluteString, "not an HTTP response")
        }
        guard (200..<300).contains(http.statusCode) else {
            throw PriceFeedError(.httpStatus, subject: url.absoluteString, "unexpected status",
                                 status: http.statusCode, excerpt: PriceFeedError.excerpt(of: data))
        }
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String, let v = v as? String { headers[k] = v }
        }
        return Response(status: http.statusCode, headers: headers, body: data)
    }

    /// Decodes `T` from a body, or throws `.malformedMessage` with the JSON path and an excerpt.
    static func decode<T: Decodable>(_ type: T.Type, from body: Data, subject: String) throws(PriceFeedError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let DecodingError.dataCorrupted(c) {
            throw PriceFeedError(.malformedMessage, subject: subject, "bad JSON at \(path(c.codingPath)): \(c.debugDescription)",
                                 excerpt: PriceFeedError.excerpt(of: body))
        } catch let DecodingError.keyNotFound(key, c) {
            throw PriceFeedError(.malformedMessage, subject: subject, "missing \(path(c.codingPath + [key]))",
                                 excerpt: PriceFeedError.excerpt(of: body))
        } catch let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c) {
            throw PriceFeedError(.malformedMessage, subject: subject, "wrong type at \(path(c.codingPath))",
                                 excerpt: PriceFeedError.excerpt(of: body))
        } catch {
            throw PriceFeedError(.malformedMessage, subject: subject, "\(error)", excerpt: PriceFeedError.excerpt(of: body))
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "$" : "$" + keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
