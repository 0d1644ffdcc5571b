import Dispatch

/// A serial executor that runs its jobs on one `DispatchQueue`. Actors that own a libpq or SQLite
/// handle (or do blocking file I/O) use it as their `unownedExecutor`, so blocking C calls run on
/// that queue's thread and never on Swift's cooperative thread pool.
public final class BlockingExecutor: SerialExecutor {
    private let queue: DispatchQueue

    public init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
