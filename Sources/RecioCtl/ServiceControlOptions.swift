import ArgumentParser
import Foundation
import Migration

/// `--systemctl CMD`: the service-control command (default `$RECIO_SYSTEMCTL`, else `systemctl`).
struct ServiceControlOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Service-control command with systemctl's reload/restart/show verbs (default: $RECIO_SYSTEMCTL, else systemctl).",
        valueName: "command"))
    var systemctl: String?

    @Option(name: .long, help: "How long a unit may take to come back active and healthy (e.g. 120s, 5m).")
    var healthTimeout = "120s"

    var control: ServiceControl {
        ServiceControl(command: systemctl ?? ProcessInfo.processInfo.environment["RECIO_SYSTEMCTL"] ?? "systemctl")
    }

    func timeout() throws -> Duration {
        guard let seconds = TimeArgument.duration(healthTimeout) else {
            throw ValidationError("--health-timeout: expected e.g. 120s or 5m, got \"\(healthTimeout)\"")
        }
        return .seconds(seconds)
    }
}

/// "Now" for recioctl's time-dependent decisions (the dual-write minimum, the stage history, the
/// parity window, retention's current month). `RECIOCTL_NOW` (epoch seconds or an ISO time)
/// replaces the clock: it exists for tests, which must not wait a week, and is read by recioctl only.
func currentTime() throws -> Date {
    guard let text = ProcessInfo.processInfo.environment["RECIOCTL_NOW"], !text.isEmpty else { return Date() }
    guard let seconds = TimeArgument.parse(text) else {
        throw ValidationError("RECIOCTL_NOW: expected epoch seconds or YYYY-MM-DDTHH:MM:SSZ, got \"\(text)\"")
    }
    return Date(timeIntervalSince1970: TimeInterval(seconds))
}
