import Foundation
import ServiceKit

/// `recioctl restart --rolling`: restarts units one at a time, each through the same
/// service-control command, and waits for it to be active and healthy on its current
/// `services.json` entry before the next; stops at the first failure.
public struct RollingRestart: Sendable {
    public struct Step: Sendable, Codable {
        public var service: String
        public var ok: Bool
        public var seconds: Double
        public var detail: String
    }

    public let control: ServiceControl
    public let config: ServicesConfig
    public let timeout: Duration
    public let pollInterval: Duration

    public init(control: ServiceControl, config: ServicesConfig, timeout: Duration, pollInterval: Duration = .milliseconds(500)) {
        self.control = control
        self.config = config
        self.timeout = timeout
        self.pollInterval = pollInterval
    }

    /// The steps taken, in order; the last one failed when the run stopped early.
    public func run(_ services: [ServiceName], report: @escaping @Sendable (String) -> Void = { _ in }) async -> [Step] {
        var steps: [Step] = []
        for service in services {
            let started = ContinuousClock.now
            report("restarting \(service.unitName)")
            do {
                try await control.restart(service)
                let state = try await HealthWait(control: control, timeout: timeout, pollInterval: pollInterval)
                    .wait(for: service, layout: StageLayout(config.service(service)), report: report)
                steps.append(Step(service: service.rawValue, ok: true, seconds: Self.seconds(since: started), detail: state.statusText))
            } catch {
                steps.append(Step(service: service.rawValue, ok: false, seconds: Self.seconds(since: started), detail: "\(error)"))
                report("stopping: \(service.unitName) failed; the units after it were not restarted")
                break
            }
        }
        return steps
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
