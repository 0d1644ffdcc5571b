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
}
