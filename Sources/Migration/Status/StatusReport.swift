/// `recioctl status`: every service's stage, writers, reader, time at the stage, newest row per
/// store, backlog and last parity.
public struct StatusReport: Sendable, Codable {
    public var config: String
    public var services: [ServiceStatus]
    /// Why the PostgreSQL side (history, newest rows) could not be read, if it could not.
    public var postgresProblem: String?

    public var rendered: String {
        var table = TextTable(["SERVICE", "STAGE", "IN STAGE", "WRITERS (PRIMARY)", "READER", "LAST ROW", "UNIT", "BACKLOG", "LAST PARITY"])
        for s in services {
            let writers = s.writers.map { $0 == s.primary ? "\($0)*" : $0 }.joined(separator: "+")
            let rows = ["postgres", "sqlite", "json"].compactMap { k in s.lastRow[k].map { "\(k) \($0)" } }
            let unit = s.unit.map { "\($0.activeState)/\($0.subState)" } ?? "unknown"
            let parity = s.lastParity.map { "\($0.ok ? "pass" : "FAIL") \(TimeArgument.format($0.ranAt))" } ?? "-"
            let first = [s.service, s.stage?.rawValue ?? "MIXED", s.secondsInStage.map(StageChanger.duration) ?? "-",
                         writers, s.reader ?? "-", rows.first ?? "-", unit, s.backlog.map(String.init) ?? "-", parity]
            table.append(first)
            for extra in rows.dropFirst() { table.append(["", "", "", "", "", extra, "", "", ""]) }
        }
        var out = "config \(config)   (* = primary)\n" + table.rendered()
        for s in services {
            if let p = s.stageProblem { out += "\(s.service): \(p)\n" }
            if let u = s.unit, !u.statusText.isEmpty { out += "\(s.service) STATUS: \(u.statusText)\n" }
            if let p = s.unitProblem { out += "\(s.service) unit: \(p)\n" }
            if let parity = s.lastParity { out += "\(s.service) last parity: \(parity.line)\n" }
        }
        if let p = postgresProblem { out += "postgres: \(p)\n" }
        return out
    }
}
