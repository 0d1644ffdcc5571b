/// The natural keys a daemon's debug log acknowledged for one dataset's primary store: the
/// `batch acknowledged ack=stored|spooled ack.keys=…` lines a `SpoolingWriter` logs, with runs of
/// integer keys (`1700000000-1700000059`) expanded.
public struct AcknowledgedKeys: Sendable, Equatable {
    public var stored: Set<String> = []
    public var spooled: Set<String> = []
    /// Everything acknowledged, either way.
    public var all: Set<String> { stored.union(spooled) }

    /// Parses `log` for `dataset` written to `writer` as the primary.
    public init(log: String, dataset: String, writer: String = "postgres") {
        for line in log.split(separator: "\n") where line.contains("batch acknowledged") && Self.value("dataset", in: line) == dataset
            && Self.value("writer", in: line) == writer && Self.value("spool.role", in: line) == "primary" {
            guard let keys = Self.value("ack.keys", in: line) else { continue }
            var expanded: [String] = []
            for part in keys.split(separator: ",") {
                let bounds = part.split(separator: "-")
                if bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first <= last {
                    expanded += (first...last).map(String.init)
                } else {
                    expanded.append(String(part))
                }
            }
            if Self.value("ack", in: line) == "spooled" { spooled.formUnion(expanded) } else { stored.formUnion(expanded) }
        }
    }

    static func value(_ key: String, in line: Substring) -> String? {
        guard let range = line.range(of: " \(key)=") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != " " })
    }
}
