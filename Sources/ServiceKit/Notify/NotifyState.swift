#if canImport(Glibc)
import Glibc
#endif

/// One state change a service reports to systemd over the `sd_notify` protocol. Each case encodes
/// to one or more `KEY=value` lines; a datagram carries the lines of all states sent together.
public enum NotifyState: Sendable, Hashable {
    /// `READY=1`: start-up finished (config valid, stores reachable or spool open, schema current).
    case ready
    /// `RELOADING=1` plus `MONOTONIC_USEC=`, which systemd ≥ 253 requires for `Type=notify-reload`
    /// and older versions ignore. Follow with `ready` once the reload is done.
    case reloading(monotonicMicroseconds: UInt64)
    /// `STOPPING=1`: shutdown began.
    case stopping
    /// `STATUS=…`: a one-line human summary shown by `systemctl status`. Newlines are replaced by
    /// spaces. Never put secrets in it: it is world-readable through D-Bus.
    case status(String)
    /// `WATCHDOG=1`: the keep-alive ping for `WatchdogSec=`.
    case watchdog
    /// `WATCHDOG=trigger`: ask systemd to act as if the watchdog timed out.
    case watchdogTrigger
    /// `EXTEND_TIMEOUT_USEC=…`: the current start, reload or stop step needs this much longer
    /// (counted from now); send it repeatedly while a long flush keeps progressing.
    case extendTimeout(Duration)
    /// `ERRNO=…`: the failure reason as an errno, shown by `systemctl status`.
    case errno(Int32)
    /// `MAINPID=…`: the main process changed.
    case mainPID(Int32)

    /// `RELOADING=1` stamped with the current `CLOCK_MONOTONIC` time.
    public static func reloadingNow() -> NotifyState {
        .reloading(monotonicMicroseconds: monotonicMicroseconds())
    }

    /// The current `CLOCK_MONOTONIC` reading in microseconds, the clock systemd expects in
    /// `MONOTONIC_USEC=`.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// The protocol lines for this state, without trailing newlines.
    public var lines: [String] {
        switch self {
        case .ready: return ["READY=1"]
        case .reloading(let usec): return ["RELOADING=1", "MONOTONIC_USEC=\(usec)"]
        case .stopping: return ["STOPPING=1"]
        case .status(let text): return ["STATUS=\(NotifyState.oneLine(text))"]
        case .watchdog: return ["WATCHDOG=1"]
        case .watchdogTrigger: return ["WATCHDOG=trigger"]
        case .extendTimeout(let duration): return ["EXTEND_TIMEOUT_USEC=\(NotifyState.microseconds(duration))"]
        case .errno(let code): return ["ERRNO=\(code)"]
        case .mainPID(let pid): return ["MAINPID=\(pid)"]
        }
    }

    /// The datagram payload for `states`, one `KEY=value` line each, `\n`-separated.
    public static func message(_ states: [NotifyState]) -> String {
        states.flatMap(\.lines).joined(separator: "\n")
    }

    static func oneLine(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r": result.append(" ")
            case "\0": continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result.trimmingWhitespace()
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000 + UInt64(max(attoseconds, 0) / 1_000_000_000_000)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
