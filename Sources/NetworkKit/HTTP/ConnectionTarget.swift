import Foundation

/// Where a client connection for an absolute URL goes and what it asks for: host and port to dial,
/// the request target, the `Host` header, and the TLS server name. Shared by the HTTP fetcher and
/// the websocket session.
struct ConnectionTarget {
    let host: String
    let port: Int
    /// Whether the scheme is the TLS one (`https`, `wss`).
    let secure: Bool
    /// Path and query as sent on the request line (`/` when the URL has no path).
    let requestTarget: String
    /// `host`, `host:port` when the port is not the scheme's default, IPv6 literals in brackets.
    let hostHeader: String
    /// SNI and certificate name checks need a DNS name; an IP literal gets neither.
    let serverName: String?

    /// `nil` unless `url` is absolute, with a host, and its scheme is `plain` or `secure`.
    init?(_ url: URL, plain: String, secure: String) {
        guard let scheme = url.scheme?.lowercased(), scheme == plain || scheme == secure,
              let host = url.host, !host.isEmpty else { return nil }
        self.host = host
        self.secure = scheme == secure
        let defaultPort = self.secure ? 443 : 80
        port = url.port ?? defaultPort
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var target = components?.percentEncodedPath ?? "/"
        if target.isEmpty { target = "/" }
        if let query = components?.percentEncodedQuery { target += "?" + query }
        requestTarget = target
        hostHeader = (host.contains(":") ? "[\(host)]" : host) + (port == defaultPort ? "" : ":\(port)")
        serverName = IPAddressText.isLiteral(host) ? nil : host
    }
}
