import Foundation
import RecioTestSupport
import Testing
@testable import ServiceKit

@Suite(.timeLimit(.minutes(1)))
struct SystemdNotifierTests {
    @Test func sendsTheLifecycleSequenceInOrder() async throws {
        try await withTemporaryDirectory { directory in
            let receiver = try DatagramReceiver(directory: directory)
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
            #expect(notifier.isEnabled)

            notifier.ready(status: "writing sqlite (primary sqlite) · backlog 0")
            notifier.status("writing sqlite\n(primary sqlite)\r\n· backlog 3\n")
            notifier.watchdog()
            let before = NotifyState.monotonicMicroseconds()
            notifier.reloading()
            let after = NotifyState.monotonicMicroseconds()
            notifier.ready()
            notifier.extendTimeout(by: .milliseconds(5_500))
            notifier.stopping(status: "flushing 12 records")

            #expect(await receiver.receiveString() == "READY=1\nSTATUS=writing sqlite (primary sqlite) · backlog 0")
            #expect(await receiver.receiveString() == "STATUS=writing sqlite (primary sqlite)  · backlog 3")
            #expect(await receiver.receiveString() == "WATCHDOG=1")
            let reloading = try #require(await receiver.receiveString()).split(separator: "\n")
            #expect(reloading.count == 2)
            #expect(reloading.first == "RELOADING=1")
            let usec = try #require(reloading.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
            #expect(reloading.last?.hasPrefix("MONOTONIC_USEC=") == true)
            #expect((before...after).contains(usec))
            #expect(await receiver.receiveString() == "READY=1")
            #expect(await receiver.receiveString() == "EXTEND_TIMEOUT_USEC=5500000")
            #expect(await receiver.receiveString() == "STOPPING=1\nSTATUS=flushing 12 records")
            #expect(await receiver.receive(timeout: .milliseconds(20)) == nil)
        }
    }

    @Test func reachesAbstractNamespaceSockets() async throws {
        let receiver = try DatagramReceiver(address: "@recio-notify-test-\(UUID().uuidString.prefix(8))")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
        #expect(notifier.address?.isAbstract == true)
        notifier.ready()
        #expect(await receiver.receiveString() == "READY=1")
    }

    @Test(arguments: [[:], ["NOTIFY_SOCKET": ""], ["NOTIFY_SOCKET": "relative/notify"]])
    func isASilentNoOpWithoutAUsableSocket(environment: [String: String]) throws {
        let capture = LogCapture()
        let notifier = SystemdNotifier(environment: environment, logger: capture.logger())
        #expect(!notifier.isEnabled)
        notifier.ready(status: "ok")
        notifier.status("ok")
        notifier.watchdog()
        notifier.reloading()
        notifier.extendTimeout(by: .seconds(1))
        notifier.stopping()
        try notifier.send([.ready, .errno(5), .mainPID(1)])
        // Only a malformed address is worth a warning; an unset one is the normal non-systemd case.
        #expect(capture.entries.isEmpty == (environment["NOTIFY_SOCKET"] != "relative/notify"))
    }

    @Test func reportsASendFailureWithTheAddress() async throws {
        try await withTemporaryDirectory { directory in
            let missing = directory.appendingPathComponent("gone.sock").path
            let capture = LogCapture()
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": missing], logger: capture.logger())
            let error = try #require(throws: DatagramSocketError.self) { try notifier.send([.ready]) }
            #expect(error.code == .send)
            #expect(error.description.contains(missing))
            notifier.ready()  // logged, not thrown
            #expect(capture.entries.contains { $0.level == .warning && $0.message.contains(missing) })
        }
    }

    @Test func encodesEveryState() {
        #expect(NotifyState.message([.watchdogTrigger, .errno(110), .mainPID(4242)]) == "WATCHDOG=trigger\nERRNO=110\nMAINPID=4242")
        #expect(NotifyState.reloading(monotonicMicroseconds: 12).lines == ["RELOADING=1", "MONOTONIC_USEC=12"])
        #expect(NotifyState.extendTimeout(.seconds(90)).lines == ["EXTEND_TIMEOUT_USEC=90000000"])
        #expect(NotifyState.status("  a\nb\0c  ").lines == ["STATUS=a bc"])
    }
}
