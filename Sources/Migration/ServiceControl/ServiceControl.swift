import Foundation
import ServiceKit

/// Reloads, restarts and inspects units through a `systemctl`-compatible command: `CMD reload
/// UNIT`, `CMD restart UNIT`, `CMD show --property=ActiveState,SubState,StatusText,MainPID UNIT`
/// (`Key=Value` lines). The default is `systemctl`; tests and hosts without systemd substitute a
/// command that implements the same four verbs (the test suites' stand-in starts real daemon
/// processes and reports what they send to their notify socket).
public struct ServiceControl: Sendable {
    /// The command's words: the executable (a path, or a name looked up in `PATH`) and leading arguments.
    public let command: [String]
    /// How long one invocation may take before it is killed and counted as failed.
    public let commandTimeout: Duration

    public init(command: String = "systemctl", commandTimeout: Duration = .seconds(120)) {
        self.command = command.split(separator: " ").map(String.init)
        self.commandTimeout = commandTimeout
    }

    /// `CMD reload UNIT`: SIGHUP through `ExecReload=`, the daemon swaps its writers in place.
    public func reload(_ service: ServiceName) async throws {
        try await invoke(["reload", service.unitName], service: service)
    }

    /// `CMD restart UNIT`.
    public func restart(_ service: ServiceName) async throws {
        try await invoke(["restart", service.unitName], service: service)
    }

    /// `CMD show ...`: the unit's state and its `STATUS=` text.
    public func state(_ service: ServiceName) async throws -> UnitState {
        let output = try await invoke(["show", "--property=ActiveState,SubState,StatusText,MainPID", service.unitName], service: service)
        return UnitState(showOutput: output)
    }

    @discardableResult
    private func invoke(_ arguments: [String], service: ServiceName) async throws -> String {
        let result = try await CommandRunner.run(command + arguments, timeout: commandTimeout)
        guard result.status == 0 else {
            let detail = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            throw StageError(.control, service: service,
                "\((command + arguments).joined(separator: " ")) exited with status \(result.status)\(detail.isEmpty ? "" : ": \(detail)")")
        }
        return result.output
    }
}
