import NIOCore

/// Runs a task's jobs on a NIO event loop (`group.addTask(executorPreference:)`), so a loop that
/// reads a NIO channel's async stream resumes on the thread that produced the element instead of
/// waking a thread of the cooperative pool for every message. The jobs must not block.
@available(macOS 15, *)
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
