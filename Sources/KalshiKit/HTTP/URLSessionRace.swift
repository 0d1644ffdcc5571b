import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends one request and returns whichever comes first: the response, the timeout, or the caller's
/// cancellation. On Linux, FoundationNetworking neither honours sub-second session timeouts (they
/// are truncated to whole seconds) nor stops `data(for:)` promptly on task cancellation, so a task
/// group racing the two would still wait for the slow server. Here the loser is cancelled and not
/// awaited.
enum URLSessionRace {
    /// Resumes its continuation at most once and tidies up the losers.
    private final class Once: Sendable {
        struct State {
            var continuation: CheckedContinuation<(Data, URLResponse), Error>?
            var task: URLSessionDataTask?
            var timer: Task<Void, Never>?
            var done = false
        }
        let state = Mutex(State())

        func finish(_ result: Result<(Data, URLResponse), Error>) {
            let (continuation, task, timer) = state.withLock { s -> (CheckedContinuation<(Data, URLResponse), Error>?, URLSessionDataTask?, Task<Void, Never>?) in
                guard !s.done else { return (nil, nil, nil) }
                s.done = true
                defer { s.continuation = nil; s.task = nil; s.timer = nil }
                return (s.continuation, s.task, s.timer)
            }
            timer?.cancel()
            if case .failure = result { task?.cancel() }
            continuation?.resume(with: result)
        }
    }

    static func data(_ session: URLSession, for request: URLRequest, timeout: Duration) async throws -> (Data, URLResponse) {
        let once = Once()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        once.finish(.failure(error))
                    } else if let response {
                        once.finish(.success((data ?? Data(), response)))
                    } else {
                        once.finish(.failure(URLError(.badServerResponse)))
                    }
                }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { once.finish(.failure(URLError(.timedOut))) }
                }
                let cancelled = once.state.withLock { s -> Bool in
                    s.continuation = continuation
                    s.task = task
                    s.timer = timer
                    return s.done
                }
                if cancelled {
                    // Cancelled before the continuation was stored.
                    timer.cancel()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                task.resume()
            }
        } onCancel: {
            once.finish(.failure(CancellationError()))
        }
    }
}
