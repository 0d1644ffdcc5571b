/// The outcome of `recioctl verify`: the migration checklist, one entry per check.
public struct VerificationReport: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case pass = "PASS"
        case fail = "FAIL"
        /// Not applicable at this stage (e.g. no snapshot table yet); not a failure.
        case skip = "SKIP"
    }

    /// One check.
    public struct Check: Codable, Sendable {
        /// 1...5, as in the checklist.
        public var number: Int
        /// Short machine name (`runtime_config`).
        public var id: String
        public var title: String
        public var status: Status
        /// What was looked at and found, one fact a line.
        public var evidence: [String]

        public init(number: Int, id: String, title: String, status: Status, evidence: [String]) {
            self.number = number
            self.id = id
            self.title = title
            self.status = status
            self.evidence = evidence
        }
    }

    public var checks: [Check]

    /// No check failed.
    public var ok: Bool { !checks.contains { $0.status == .fail } }

    public func check(_ id: String) -> Check? { checks.first { $0.id == id } }

    public func rendered() -> String {
        var out = ""
        for c in checks {
            out += "[\(c.status.rawValue)] \(c.number). \(c.title)\n"
            for line in c.evidence { out += "       \(line)\n" }
        }
        let counts = [VerificationReport.Status.pass, .fail, .skip].map { s in "\(checks.filter { $0.status == s }.count) \(s.rawValue.lowercased())" }
        out += "verify: \(ok ? "PASS" : "FAIL") (\(counts.joined(separator: ", ")))\n"
        return out
    }
}
