import ServiceKit

/// What `systemctl show` says about a unit, and whether that is "active and healthy" for a
/// given stage layout.
public struct UnitState: Sendable, Equatable, Codable {
    public var activeState: String
    public var subState: String
    /// The daemon's last `STATUS=` line.
    public var statusText: String
    public var mainPID: Int?

    public init(activeState: String, subState: String, statusText: String, mainPID: Int? = nil) {
        self.activeState = activeState
        self.subState = subState
        self.statusText = statusText
        self.mainPID = mainPID
    }

    /// Parses `Key=Value` lines; unknown keys are ignored, missing ones are empty.
    public init(showOutput: String) {
        var values: [String: String] = [:]
        for line in showOutput.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        self.init(activeState: values["ActiveState"] ?? "", subState: values["SubState"] ?? "",
                  statusText: values["StatusText"] ?? "", mainPID: values["MainPID"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil })
    }

    /// The `STATUS=` parts (`writing sqlite+postgres`, `pending 0`...).
    public var statusParts: [String] { statusText.components(separatedBy: StatusLine.separator) }

    /// The stores named by the `writing …` part, primary first (`nil` when the daemon reports none).
    public var writing: [String]? {
        guard let part = statusParts.first(where: { $0.hasPrefix("writing ") }) else { return nil }
        let list = part.dropFirst("writing ".count).prefix { $0 != " " }
        return list.split(separator: "+").map(String.init)
    }

    /// The store named by the `reading …` part.
    public var reading: String? {
        statusParts.first { $0.hasPrefix("reading ") }.map { String($0.dropFirst("reading ".count).prefix { $0 != " " }) }
    }

    /// The `pending N` figure (records accepted, not yet stored), when reported.
    public var pending: Int? {
        statusParts.first { $0.hasPrefix("pending ") }.flatMap { Int($0.dropFirst("pending ".count).prefix { $0.isNumber }) }
    }

    /// `nil` when the unit is running, ready, not stale and (given a layout) reports writing and
    /// reading what the layout says; otherwise the reason it is not (yet) healthy.
    public func problem(expecting layout: StageLayout?) -> String? {
        guard activeState == "active" else { return "unit is \(activeState.isEmpty ? "unknown" : activeState)/\(subState)" }
        guard subState.isEmpty || subState == "running" else { return "unit is active/\(subState)" }
        guard !statusText.isEmpty else { return "no STATUS= yet" }
        if statusText.hasPrefix("waiting for stores") || statusText.contains("STALE") {
            return "daemon reports: \(statusText)"
        }
        guard let layout else { return nil }
        if let writing {
            let postgres = writing.contains(WriterKind.postgres.rawValue)
            if layout.writers.contains(.postgres) != postgres {
                return "daemon still writing \(writing.joined(separator: "+")) (expected \(layout.writers.contains(.postgres) ? "" : "no ")postgres)"
            }
            if !layout.writers.contains(where: \.isLegacy), writing.contains(where: { $0 != WriterKind.postgres.rawValue }) {
                return "daemon still writing \(writing.joined(separator: "+")) (expected postgres only)"
            }
            if (writing.first == WriterKind.postgres.rawValue) != (layout.primary == .postgres), writing.count > 1 {
                return "daemon's primary is \(writing.first ?? "-") (expected \(layout.primary.rawValue))"
            }
        }
        if let expected = layout.reader, let reading, reading != expected.rawValue {
            return "daemon still reading \(reading) (expected \(expected.rawValue))"
        }
        return nil
    }
}
