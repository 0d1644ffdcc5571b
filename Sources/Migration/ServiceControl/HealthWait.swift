import ServiceKit

/// Polls a unit until it is active with a healthy `STATUS=` for the expected layout, or the time runs out.
public struct HealthWait: Sendable {
    public let control: ServiceControl
    public let timeout: Duration
    public let pollInterval: Duration

    public init(control: ServiceControl, timeout: Duration, pollInterval: Duration = .milliseconds(500)) {
        self.control = control
        self.timeout = timeout
        self.pollInterval = pollInterval
    }

    /// The healthy state; throws `StageError(.unhealthy)` with the last reason on timeout.
    public func wait(for service: ServiceName, layout: StageLayout?, report: @Sendable (String) -> Void = { _ in }) async throws -> UnitState {
        let deadline = ContinuousClock.now + timeout
        var lastReason = ""
        while true {
            var reason: String
            do {
                let state = try await control.state(service)
                guard let problem = state.problem(expecting: layout) else { return state }
                reason = problem
            } catch {
                reason = "\(error)"
            }
            if reason != lastReason {
                report("  waiting for \(service.unitName): \(reason)")
                lastReason = reason
            }
            guard ContinuousClock.now < deadline else {
                throw StageError(.unhealthy, service: service, "not active and healthy within \(timeout): \(reason)")
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}
