import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs an external command to completion with `posix_spawnp` and `waitpid`, off the cooperative
/// pool (the wait blocks a dispatch thread, not a Swift task executor), killing it after a time
/// limit. Foundation's `Process` is not used here: on Linux its exit detection can miss a child
/// that exits at once after starting a background grandchild (what `systemctl` stand-ins do),
/// and then `waitUntilExit` never returns.
public enum CommandRunner {
    /// Exit status (128 + N when killed by signal N) and everything written to stdout and stderr.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        /// Standard error when it was captured apart (`separateErrors`), else empty.
        public var errors: String = ""
    }

    /// Runs `words` (the executable, looked up in `PATH` when it has no slash, then its arguments)
    /// with `environment` added to this process's environment.
    /// With `separateErrors`, stderr is captured apart into `errors` instead of merged into `output`.
    public static func run(_ words: [String], environment: [String: String] = [:], timeout: Duration,
                           separateErrors: Bool = false) async throws -> Result {
        guard let executable = words.first else { throw StageError(.control, service: nil, "the command is empty") }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw StageError(.control, service: nil, "pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // Only the dup2'd copies (stdout, stderr) reach the child.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        var errFds: [Int32] = [-1, -1]
        if separateErrors {
            guard pipe(&errFds) == 0 else { throw StageError(.control, service: nil, "pipe: \(String(cString: strerror(errno)))") }
            _ = fcntl(errFds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(errFds[1], F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, errFds[1], 2)
        } else {
            posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let argv = words.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, executable, &actions, nil, argv, envp)
        close(writeEnd)
        if separateErrors { close(errFds[1]) }
        let errorEnd = errFds[0]
        guard rc == 0 else {
            close(readEnd)
            if errorEnd >= 0 { close(errorEnd) }
            throw StageError(.control, service: nil, "could not run \(executable): \(String(cString: strerror(rc)))")
        }
        let child = pid
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let killer = DispatchWorkItem { kill(child, SIGKILL) }
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
                let group = DispatchGroup()
                let errors = ByteBox()
                if errorEnd >= 0 {
                    group.enter()
                    DispatchQueue.global().async {
                        errors.bytes = readAll(errorEnd)
                        group.leave()
                    }
                }
                let output = readAll(readEnd)
                group.wait()
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0, errno == EINTR {}
                killer.cancel()
                let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                continuation.resume(returning: Result(status: code, output: String(decoding: output, as: UTF8.self),
                                                      errors: String(decoding: errors.bytes, as: UTF8.self)))
            }
        }
    }

    /// Reads `fd` to end of file and closes it.
    static func readAll(_ fd: Int32) -> [UInt8] {
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n]; continue }
            if n < 0, errno == EINTR { continue }
            break
        }
        close(fd)
        return output
    }
}

/// Bytes read on one dispatch thread and taken on another after a `DispatchGroup.wait`.
final class ByteBox: @unchecked Sendable {
    // Safe: written once before `group.leave()`, read after `group.wait()` (the group orders them).
    var bytes: [UInt8] = []
}
