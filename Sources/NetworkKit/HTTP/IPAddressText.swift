/// Whether a host is written as an IP address rather than a name.
enum IPAddressText {
    /// `127.0.0.1`, `::1` (URL hosts come without brackets).
    static func isLiteral(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }
}
