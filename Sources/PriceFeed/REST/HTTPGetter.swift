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
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
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
            (data, response) = try await session.data(for: request)
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

/// A JSON decimal sent as a string (`"43251.23"`), parsed to exact cents; rejects anything that
/// is not a positive decimal.
struct PositiveCents: Decodable, Sendable {
    var value: USDCents

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let cents = USDCents(decimalString: text), cents.cents > 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "price \(text) is not a positive decimal"))
        }
        value = cents
    }
}
