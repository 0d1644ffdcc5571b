import Foundation

/// A request the fixture HTTP route table answers: method, path, and optionally an exact query.
/// A route with `query == nil` matches any query on that path; one with a query matches only that
/// query (parameters compared as a set, order-insensitive). The exact-query route wins.
public struct HTTPFixtureRoute: Hashable, Sendable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var query: String?

    public init(_ method: String = "GET", _ path: String, query: String? = nil) {
        self.method = method.uppercased()
        self.path = path
        self.query = query.map(Self.normalize)
    }

    /// `b=2&a=1` → `a=1&b=2`, so route keys do not depend on parameter order.
    static func normalize(_ query: String) -> String {
        query.split(separator: "&").map(String.init).sorted().joined(separator: "&")
    }

    public var description: String { "\(method) \(path)\(query.map { "?\($0)" } ?? "")" }
}

/// What the fixture answers for a route.
public struct HTTPFixtureResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Wait this long before answering (timeouts, slow servers).
    public var delay: Duration?

    public init(status: Int = 200, headers: [(String, String)] = [("Content-Type", "application/json")],
                body: [UInt8], delay: Duration? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// A JSON body given as text.
    public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = [],
                            delay: Duration? = nil) -> HTTPFixtureResponse {
        HTTPFixtureResponse(status: status, headers: [("Content-Type", "application/json")] + headers,
                            body: Array(text.utf8), delay: delay)
    }
}

/// A request the fixture received, for assertions.
public struct HTTPFixtureRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    /// The raw query string, `""` when none.
    public var query: String
    public var headers: [String: String]

    /// The query's `name=value` pairs, percent-decoded (the last one wins for a repeated name).
    public var queryParameters: [String: String] {
        var out: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            out[key] = value
        }
        return out
    }
}
