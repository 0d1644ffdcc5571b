import Foundation
import RecioTestSupport
import Testing
@testable import ServiceKit

@Suite(.timeLimit(.minutes(1)))
struct StatusLineTests {
    @Test func joinsNonEmptyPartsOnOneLine() {
        let line = StatusLine("writing sqlite+postgres (primary sqlite)", nil, "", "last row 14:03:05Z", "backlog\n0")
        #expect(line.description == "writing sqlite+postgres (primary sqlite) · last row 14:03:05Z · backlog 0")
        #expect(StatusLine().description == "")
    }

    @Test func formatsUTCTimes() {
        #expect(StatusLine.time(Date(timeIntervalSince1970: 1_700_000_000.9)) == "22:13:20Z")
        #expect(StatusLine.time(Date(timeIntervalSince1970: 5)) == "00:00:05Z")
    }

    @Test func reporterPublishesOnlyChanges() async throws {
        try await withTemporaryDirectory { directory in
            let receiver = try DatagramReceiver(directory: directory)
            let reporter = StatusReporter(
                notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address]),
                slots: ["writers", "last_row", "backlog"])
            await reporter.update("backlog", "backlog 0")
            await reporter.update("writers", "writing sqlite (primary sqlite)")
            await reporter.update("writers", "writing sqlite (primary sqlite)")
            await reporter.update([("last_row", "last row 14:03:05Z"), ("backlog", "backlog 2")])
            await reporter.update("retry", "postgres unreachable, retrying in 8 s")

            #expect(await receiver.receiveString() == "STATUS=backlog 0")
            #expect(await receiver.receiveString() == "STATUS=writing sqlite (primary sqlite) · backlog 0")
            #expect(await receiver.receiveString() == "STATUS=writing sqlite (primary sqlite) · last row 14:03:05Z · backlog 2")
            #expect(await receiver.receiveString()
                == "STATUS=writing sqlite (primary sqlite) · last row 14:03:05Z · backlog 2 · postgres unreachable, retrying in 8 s")
            #expect(await receiver.receive(timeout: .milliseconds(20)) == nil)
        }
    }
}
