import NIOCore

/// One request's outcome, completed exactly once by whichever comes first: the response, an
/// error, the timeout or the caller's cancellation; completing it closes the connection.
///
/// `@unchecked Sendable`: its mutable state (`done`, `channel`) is only read and written on
/// `loop` (checked by `preconditionInEventLoop`), and the promise is NIO's own thread-safe type.
final class HTTPFetchExchange: @unchecked Sendable {
    let loop: any EventLoop
    let url: String
    private let promise: EventLoopPromise<HTTPFetchResponse>
    private var done = false
    private var channel: (any Channel)?

    init(loop: any EventLoop, url: String) {
        self.loop = loop
        self.url = url
        self.promise = loop.makePromise(of: HTTPFetchResponse.self)
    }

    /// The connection, once connected (closed at once when the exchange already ended).
    func attach(_ channel: any Channel) {
        loop.preconditionInEventLoop()
        if done {
            channel.close(promise: nil)
        } else {
            self.channel = channel
        }
    }

    /// Completes the exchange (later calls are ignored) and closes the connection.
    func finish(_ result: Result<HTTPFetchResponse, HTTPFetchError>) {
        loop.preconditionInEventLoop()
        guard !done else { return }
        done = true
        switch result {
        case .success(let response): promise.succeed(response)
        case .failure(let error): promise.fail(error)
        }
        channel?.close(promise: nil)
        channel = nil
    }

    /// Waits for the outcome.
    func result() async -> Result<HTTPFetchResponse, HTTPFetchError> {
        do {
            return .success(try await promise.futureResult.get())
        } catch let error as HTTPFetchError {
            return .failure(error)
        } catch {
            return .failure(HTTPFetchError(.transport, url: url, "\(error)"))
        }
    }
}
