import Foundation
import Synchronization

/// Records every datagram a daemon sends to its notify socket with the moment it arrived, on a
/// thread of its own (not the cooperative pool, so a busy test process does not delay the
/// timestamps), for assertions on `READY=1`, `STATUS=` and the gaps between `WATCHDOG=1` pings.
public final class NotifyRecorder: Sendable {
    public struct Message: Sendable {
        public let at: ContinuousClock.Instant
        public let text: String
        /// The test phase current when it arrived (see `phase`).
        public let phase: Int
    }

    /// What the listening thread and the test share.
    private final class Shared: Sendable {
        let state = Mutex<(phase: Int, messages: [Message], stopped: Bool)>((0, [], false))
        let finished = DispatchSemaphore(value: 0)
    }

    public var address: String { receiver.address }
    private let receiver: DatagramReceiver
    private let shared = Shared()

    /// Binds `directory/name` and starts listening.
    public init(directory: URL, name: String) throws {
        receiver = try DatagramReceiver(directory: directory, name: name)
        let thread = Thread { [receiver, shared] in
            while !shared.state.withLock({ $0.stopped }) {
                guard let bytes = receiver.receiveBlocking(timeout: .milliseconds(200)) else { continue }
                let now = ContinuousClock.now
                let text = String(decoding: bytes, as: UTF8.self)
                shared.state.withLock { $0.messages.append(Message(at: now, text: text, phase: $0.phase)) }
            }
            shared.finished.signal()
        }
        thread.start()
    }

    /// Tags the messages that arrive from now on (0 before the first change).
    public var phase: Int {
        get { shared.state.withLock { $0.phase } }
        set { shared.state.withLock { $0.phase = newValue } }
    }

    public var messages: [Message] { shared.state.withLock { $0.messages } }

    /// Messages containing `text` (in the given phase, when one is given).
    public func count(containing text: String, phase: Int? = nil) -> Int {
        messages.filter { $0.text.contains(text) && (phase == nil || $0.phase == phase) }.count
    }

    /// The `STATUS=` texts, oldest first.
    public var statuses: [String] {
        messages.flatMap { $0.text.split(separator: "\n") }.filter { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst(7)) }
    }

    /// `WATCHDOG=1` pings received, and the largest gap between two consecutive ones.
    public var pings: (count: Int, largestGap: Duration) {
        let times = messages.filter { $0.text.split(separator: "\n").contains("WATCHDOG=1") }.map(\.at)
        var largest = Duration.zero
        for (a, b) in zip(times, times.dropFirst()) { largest = max(largest, b - a) }
        return (times.count, largest)
    }

    /// Stops listening (waits for the thread to leave `receive`); idempotent.
    public func stop() {
        let first = shared.state.withLock { s -> Bool in
            defer { s.stopped = true }
            return !s.stopped
        }
        if first { shared.finished.wait() }
    }

    deinit { stop() }
}
