/// Natural keys in a compact, greppable form for acknowledgement log lines: runs of consecutive
/// integer keys become `first-last` (`1700000000-1700000059,1700000100`); other keys are listed.
enum KeyRuns {
    static func describe(_ keys: [String]) -> String {
        var parts: [String] = []
        var run: (first: Int64, last: Int64)?
        func closeRun() {
            if let r = run { parts.append(r.first == r.last ? "\(r.first)" : "\(r.first)-\(r.last)") }
            run = nil
        }
        for key in keys {
            if let value = Int64(key) {
                if let r = run, value == r.last + 1 { run = (r.first, value); continue }
                closeRun()
                run = (value, value)
            } else {
                closeRun()
                parts.append(key)
            }
        }
        closeRun()
        return parts.joined(separator: ",")
    }
}
