import Foundation

/// Linux `/proc` readings of another process (the daemon under test).
public enum ProcStats {
    /// A `/proc` file that could not be read or parsed: which one, and why.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// `utime + stime` of `pid`, in seconds.
    public static func cpuSeconds(_ pid: Int32) throws -> Double {
        // utime and stime are fields 14 and 15.
        try statSeconds(pid, fields: 14, 15)
    }

    /// CPU seconds of `pid`'s children: those that exited and were waited for (`cutime + cstime`)
    /// and those still running (a PostgreSQL postmaster's backends, whichever the state of their
    /// connections).
    public static func childrenCPUSeconds(_ pid: Int32) throws -> Double {
        var total = try statSeconds(pid, fields: 16, 17)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry), let fields = try? statFields(child), fields.count > 1, Int32(fields[1]) == pid else { continue }
            total += (try? cpuSeconds(child)) ?? 0
        }
        return total
    }

    /// The sum of two clock-tick fields of `/proc/PID/stat` (numbered as in proc(5)), in seconds.
    private static func statSeconds(_ pid: Int32, fields a: Int, _ b: Int) throws -> Double {
        let fields = try statFields(pid)
        guard fields.count > b - 3, let x = Double(fields[a - 3]), let y = Double(fields[b - 3]) else {
            throw ReadError(path: "/proc/\(pid)/stat", reason: "fields \(a) and \(b) are not numbers")
        }
        return (x + y) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields of `/proc/PID/stat` after "pid (comm)": field 3 (state) is index 0.
    private static func statFields(_ pid: Int32) throws -> [Substring] {
        let path = "/proc/\(pid)/stat"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let close = text.lastIndex(of: ")") else { throw ReadError(path: path, reason: "no ')' after the command name") }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// The numeric values of `/proc/PID/status` (`VmRSS`, `VmHWM`, `RssAnon` in kB; `Threads`).
    public static func status(_ pid: Int32) throws -> [String: Int] {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let kb = Int(parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") else { continue }
            values[String(parts[0])] = kb
        }
        return values
    }

    /// One value of `/proc/PID/status`, throwing when it is missing.
    public static func status(_ pid: Int32, _ key: String) throws -> Int {
        guard let value = try status(pid)[key] else { throw ReadError(path: "/proc/\(pid)/status", reason: "no \(key) line") }
        return value
    }

    /// The names of `pid`'s threads (`/proc/PID/task/*/comm`), for reports of what runs in it.
    public static func threadNames(_ pid: Int32) -> [String] {
        let dir = "/proc/\(pid)/task"
        let tids = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return tids.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }.compactMap {
            (try? String(contentsOfFile: "\(dir)/\($0)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// `/proc/loadavg`'s three averages (1, 5 and 15 minutes), for the conditions of a figure.
    public static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
