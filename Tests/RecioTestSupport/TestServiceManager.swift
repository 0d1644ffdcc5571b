import Foundation
import Migration
#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for systemd in tests, behind the interface recioctl uses (`systemctl reload|restart|show`):
/// a shell script (`systemctl` in the folder) starts the real daemon processes a test defines,
/// sends them SIGHUP, restarts them, and answers `show` from state files, which this object keeps
/// current from what each daemon sends to its own notify socket (`READY=1`, `RELOADING=1`,
/// `STOPPING=1`, `STATUS=`), exactly as systemd would learn it.
///
/// `@unchecked Sendable`: `units` and `listeners` are only touched while holding `lock`; the
/// listener tasks only read immutable state and write files.
public final class TestServiceManager: @unchecked Sendable {
    /// The folder with the script, the units' command files, pid files, state files and logs.
    public let directory: URL
    /// The `systemctl` stand-in to pass to recioctl (`--systemctl PATH`).
    public let systemctl: String
    private let lock = NSLock()
    private var units: [String] = []
    private var listeners: [DispatchSemaphore] = []
    private var receivers: [DatagramReceiver] = []
    private let stopFlag = StopFlag()

    /// Writes the script into `directory`.
    public init(directory: URL) throws {
        self.directory = directory
        self.systemctl = directory.appendingPathComponent("systemctl").path
        try Self.script(directory.path).write(toFile: systemctl, atomically: true, encoding: .utf8)
        chmod(systemctl, 0o755)
    }

    /// Defines `unit` (e.g. `recio-btc-price-watchdog.service`) as `executable arguments` with extra
    /// `environment`, and starts listening on its notify socket. Does not start it.
    public func define(unit: String, executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        let socket = directory.appendingPathComponent("\(unit).sock").path
        let receiver = try DatagramReceiver(address: socket)
        var env = environment
        env["NOTIFY_SOCKET"] = socket
        let assignments = env.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let command = "exec env -u WATCHDOG_USEC -u WATCHDOG_PID -u JOURNAL_STREAM \(assignments) "
            + ([executable] + arguments).map(Self.quote).joined(separator: " ") + "\n"
        try command.write(toFile: directory.appendingPathComponent("\(unit).cmd").path, atomically: true, encoding: .utf8)
        let stateFile = directory.appendingPathComponent("\(unit).state")
        let statusFile = directory.appendingPathComponent("\(unit).status")
        let flag = stopFlag
        // A dispatch thread, not a task: the listener must keep running while tests block
        // cooperative threads waiting for recioctl.
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            while !flag.isSet {
                guard let bytes = receiver.receiveBlocking(timeout: .milliseconds(200)) else { continue }
                for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                    if line == "READY=1" { try? Data("active".utf8).write(to: stateFile, options: .atomic) }
                    if line == "RELOADING=1" { try? Data("reloading".utf8).write(to: stateFile, options: .atomic) }
                    if line == "STOPPING=1" { try? Data("deactivating".utf8).write(to: stateFile, options: .atomic) }
                    if line.hasPrefix("STATUS=") { try? Data(line.dropFirst(7).utf8).write(to: statusFile, options: .atomic) }
                }
            }
            done.signal()
        }
        lock.withLock {
            units.append(unit)
            listeners.append(done)
            receivers.append(receiver)
        }
    }

    /// Runs the script with `arguments` (as recioctl would) and returns its exit status and output.
    @discardableResult
    public func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let result = try await CommandRunner.run([systemctl] + arguments, timeout: .seconds(120))
        return (result.status, result.output)
    }

    /// Starts a defined unit (`systemctl start`).
    public func start(_ unit: String) async throws {
        let result = try await run(["start", unit])
        guard result.status == 0 else { throw TestServiceManagerError(description: "start \(unit): \(result.output)") }
    }

    /// The unit's main pid, while it runs.
    public func pid(_ unit: String) -> pid_t? {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("\(unit).pid"), encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), Self.alive(pid) else { return nil }
        return pid
    }

    /// Everything the unit's processes logged.
    public func log(_ unit: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("\(unit).log"), encoding: .utf8)) ?? ""
    }

    /// SIGTERM to every running unit, waiting (up to 60 s, then SIGKILL) for each to exit; stops the listeners.
    public func stopAll() async {
        let names = lock.withLock { units }
        for unit in names {
            guard let pid = pid(unit) else { continue }
            kill(pid, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(60)
            while Self.alive(pid), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if Self.alive(pid) { kill(pid, SIGKILL) }
        }
        stopFlag.set()
        let waiting = lock.withLock { () -> [DispatchSemaphore] in
            defer { listeners = [] }
            return listeners
        }
        for done in waiting {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    done.wait()
                    continuation.resume()
                }
            }
        }
    }

    /// Whether `pid` runs (a zombie does not count: the script's children are reaped by init, not by us).
    public static func alive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The script: `start|restart UNIT`, `reload UNIT`, `show [--property=...] UNIT`, `stop UNIT`.
    static func script(_ dir: String) -> String {
        """
        #!/bin/sh
        # systemctl stand-in for tests (start/restart/reload/stop/show) over daemons started from DIR/UNIT.cmd.
        DIR=\(quote(dir))
        verb="$1"; shift
        unit=""
        for a in "$@"; do unit="$a"; done
        [ -f "$DIR/$unit.cmd" ] || { echo "Unit $unit not found." >&2; exit 5; }
        pidfile="$DIR/$unit.pid"
        alive() {
            [ -f "$pidfile" ] || return 1
            pid=$(cat "$pidfile")
            kill -0 "$pid" 2>/dev/null || return 1
            state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)
            [ "$state" != "Z" ]
        }
        stop() {
            if alive; then
                pid=$(cat "$pidfile"); kill -TERM "$pid"
                while alive; do sleep 0.1; done
            fi
        }
        case "$verb" in
        start|restart)
            stop
            echo activating > "$DIR/$unit.state"
            : > "$DIR/$unit.status"
            sh "$DIR/$unit.cmd" >> "$DIR/$unit.log" 2>&1 < /dev/null &
            echo $! > "$pidfile"
            ;;
        reload)
            alive || { echo "$unit is not active, cannot reload." >&2; exit 7; }
            kill -HUP "$(cat "$pidfile")"
            ;;
        stop) stop ;;
        show)
            if alive; then
                echo "ActiveState=$(cat "$DIR/$unit.state" 2>/dev/null || echo activating)"; echo "SubState=running"; echo "MainPID=$(cat "$pidfile")"
            else
                echo "ActiveState=failed"; echo "SubState=failed"; echo "MainPID=0"
            fi
            echo "StatusText=$(cat "$DIR/$unit.status" 2>/dev/null)"
            ;;
        *) echo "unknown verb $verb" >&2; exit 1 ;;
        esac

        """
    }
}

/// Runs `body` with a service manager in `directory` and always stops its units afterwards.
public func withTestServiceManager<T>(_ directory: URL, _ body: (TestServiceManager) async throws -> T) async throws -> T {
    let manager = try TestServiceManager(directory: directory)
    do {
        let value = try await body(manager)
        await manager.stopAll()
        return value
    } catch {
        await manager.stopAll()
        throw error
    }
}

/// A failure of the test service manager itself.
public struct TestServiceManagerError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A one-way flag for the listener loops.
final class StopFlag: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
