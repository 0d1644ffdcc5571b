import Foundation
import RecioTestSupport
import Logging
import ServiceLifecycle
import Testing
@testable import ServiceKit

/// What the fake daemon's health check answers; flipped by the test.
///
/// `@unchecked Sendable`: `report` and `checks` are only touched while holding `lock`.
final class HealthSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var report: HealthReport = .healthy
    private var checks = 0

    func set(_ report: HealthReport) { lock.withLock { self.report = report } }
    var checkCount: Int { lock.withLock { checks } }
    func check() -> HealthReport { lock.withLock { checks += 1; return report } }
}

@Suite(.timeLimit(.minutes(1)))
struct WatchdogPingerTests {
    @Test func settingsComeFromTheEnvironment() {
        let pid = getpid()
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "30000000"], processID: pid)?.pingInterval == .milliseconds(7_500))
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(pid)"], processID: pid)?.timeout == .seconds(30))
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(pid + 1)"], processID: pid) == nil)
        #expect(WatchdogSettings.from(environment: [:], processID: pid) == nil)
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "0"], processID: pid) == nil)
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "soon"], processID: pid) == nil)
    }

    @Test func pingsOnlyWhileTheHealthCheckPasses() async throws {
        try await withTemporaryDirectory { directory in
            let receiver = try DatagramReceiver(directory: directory)
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
            let clock = ManualClock()
            let health = HealthSwitch()
            let capture = LogCapture()
            let pinger = WatchdogPinger(
                notifier: notifier, settings: WatchdogSettings(timeout: .seconds(30)), clock: clock,
                logger: capture.logger(), healthCheck: { health.check() })
            let running = Task { try await pinger.run() }

            // Healthy: a ping at start and one per ping interval (7.5 s; the manual clock jumps 15 s).
            #expect(await receiver.receiveString() == "WATCHDOG=1")
            await clock.waitForSleeper()
            clock.advance(by: .seconds(15))
            #expect(await receiver.receiveString() == "WATCHDOG=1")
            await clock.waitForSleeper()

            // Wedged: two whole intervals without a single ping.
            health.set(.unhealthy(reason: "no price row stored for 120 s"))
            for _ in 0..<2 {
                clock.advance(by: .seconds(15))
                await clock.waitForSleeper()
                #expect(await receiver.receive(timeout: .milliseconds(50)) == nil)
            }
            #expect(health.checkCount == 4)
            let warnings = capture.entries.filter { $0.level == .warning }
            #expect(warnings.count == 1)
            #expect(warnings.first?.metadata["watchdog.reason"] == "no price row stored for 120 s")

            // Recovered: pinging resumes.
            health.set(.healthy)
            clock.advance(by: .seconds(15))
            #expect(await receiver.receiveString() == "WATCHDOG=1")
            #expect(capture.entries.contains { $0.level == .notice })

            running.cancel()
            try await running.value
        }
    }

    @Test func doesNothingWhenTheWatchdogBelongsToAnotherProcess() async throws {
        try await withTemporaryDirectory { directory in
            let receiver = try DatagramReceiver(directory: directory)
            let environment = ["NOTIFY_SOCKET": receiver.address, "WATCHDOG_USEC": "2000", "WATCHDOG_PID": "\(getpid() + 1)"]
            let health = HealthSwitch()
            let pinger = WatchdogPinger(
                notifier: SystemdNotifier(environment: environment), environment: environment,
                logger: LogCapture().logger(), healthCheck: { health.check() })
            #expect(pinger.settings == nil)
            let running = Task { try await pinger.run() }
            #expect(await receiver.receive(timeout: .milliseconds(50)) == nil)
            running.cancel()
            try await running.value
            #expect(health.checkCount == 0)
        }
    }

    @Test func endsOnGracefulShutdown() async throws {
        try await withTemporaryDirectory { directory in
            let receiver = try DatagramReceiver(directory: directory)
            let clock = ManualClock()
            let pinger = WatchdogPinger(
                notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address]),
                settings: WatchdogSettings(timeout: .seconds(30)), clock: clock,
                logger: LogCapture().logger(), healthCheck: { .healthy })
            let group = ServiceGroup(configuration: .init(services: [pinger], logger: LogCapture().logger()))
            let running = Task { try await group.run() }
            #expect(await receiver.receiveString() == "WATCHDOG=1")
            await clock.waitForSleeper()
            await group.triggerGracefulShutdown()
            try await running.value
        }
    }
}
