import Synchronization

/// The result of waiting for a task at most some time.
enum TimedOutcome<T: Sendable>: Sendable {
    case finished(Result<T, any Error>)
    case timedOut
}

/// Waits for `task` at most `timeout`. The task is not cancelled when the time runs out (a write
/// in flight is left to finish on its own; the caller has spooled its batch).
func awaitResult<T: Sendable>(of task: Task<T, any Error>, atMost timeout: Duration) async -> TimedOutcome<T> {
    let once = OnceFlag()
    return await withCheckedContinuation { (continuation: CheckedContinuation<TimedOutcome<T>, Never>) in
        let timer = Task {
            // A cancelled timer means the task finished first: it must not claim the outcome
            // (the finished task may not have claimed it yet when it cancels this timer).
            do { try await Task.sleep(for: timeout) } catch { return }
            if once.claim() { continuation.resume(returning: .timedOut) }
        }
        Task {
            let result = await task.result
            if once.claim() { continuation.resume(returning: .finished(result)) }
            timer.cancel()
        }
    }
}

/// True for exactly one caller.
private final class OnceFlag: Sendable {
    private let taken = Mutex(false)
    func claim() -> Bool { taken.withLock { was in defer { was = true }; return !was } }
}
