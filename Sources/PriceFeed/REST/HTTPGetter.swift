import Foundation
import NetworkKit
import StorageKit

/// A plain JSON `GET` over `HTTPFetcher` (SwiftNIO, not `URLSession`: on Linux that pulled
/// libcurl and its threads into the daemon), with a per-request timeout, that turns transport failures and non-2xx statuses into `PriceFeedError`s carrying
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

    let fetcher: HTTPFetcher
    let timeout: Duration

    init(timeout: Duration, fetcher: HTTPFetcher = .shared) {
        self.fetcher = fetcher
        self.timeout = timeout
    }

    func get(_ url: URL) async throws(PriceFeedError) -> Response {
        let response: HTTPFetchResponse
        do throws(HTTPFetchError) {
            response = try await fetcher.get(url, headers: [("Accept", "application/json"), ("User-Agent", "recio-data-services")],
                                             timeout: timeout)
        } catch {
            let message = error.code == .timeout ? "no response within \(timeout)" : "GET failed: \(error.message)"
            throw PriceFeedError(.transport, subject: url.absoluteString, message)
        }
        guard (200..<300).contains(response.status) else {
            throw PriceFeedError(.httpStatus, subject: url.absoluteString, "unexpected status",
                                 status: response.status, excerpt: PriceFeedError.excerpt(of: response.body))
        }
        var headers: [String: String] = [:]
        for (name, value) in response.headers where headers[name] == nil { headers[name] = value }
        return Response(status: response.status, headers: headers, body: Data(response.body))
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
