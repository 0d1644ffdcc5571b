import NIOPosix

/// The one NIO event loop thread a daemon's network I/O shares (websocket and REST calls).
/// NIO's default singleton group has a thread per core; a daemon that moves a few kilobytes a
/// second needs one, and every extra thread costs a stack and, with glibc, a malloc arena.
public enum DaemonEventLoop {
    /// A group of exactly one event loop, started on first use and kept for the process's life.
    public static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
}
