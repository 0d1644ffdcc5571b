import Foundation
import Logging

/// Reports service state to systemd with the `sd_notify` protocol: one datagram per call, sent
/// directly to `$NOTIFY_SOCKET` (a path or an `@` abstract name) without libsystemd.
///
/// The environment is read once, at init. Without `$NOTIFY_SOCKET` (not started by systemd, or
/// `Type=simple`) every call is a silent no-op, so daemons call it unconditionally. Sendable and
/// cheap to copy: copies share one socket.
public struct SystemdNotifier: Sendable {
    /// Where notifications go, or `nil` when they are discarded.
    public let address: UnixSocketAddress?
    private let socket: UnixDatagramSocket?
    private let logger: Logger?

    /// Reads `$NOTIFY_SOCKET` from `environment`. Failures to send are logged on `logger` (at
    /// `warning`) by the non-throwing methods; pass `nil` to drop them silently.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger? = nil) {
        self.logger = logger
        guard let raw = environment["NOTIFY_SOCKET"], !raw.isEmpty else {
            self.address = nil
            self.socket = nil
            return
        }
        guard let address = UnixSocketAddress(raw) else {
            logger?.warning("NOTIFY_SOCKET is not an absolute path or @abstract name; systemd notifications are disabled",
                            metadata: ["notify.socket": "\(raw)"])
            self.address = nil
            self.socket = nil
            return
        }
        self.address = address
        do {
            self.socket = try UnixDatagramSocket(address: address)
        } catch {
            logger?.warning("cannot create the systemd notify socket: \(error)")
            self.socket = nil
        }
    }

    /// Whether notifications are actually sent (`$NOTIFY_SOCKET` was set and usable).
    public var isEnabled: Bool { socket != nil }

    /// Sends `states` as one datagram. Does nothing when notifications are disabled; throws only
    /// when a socket is configured and the send fails.
    public func send(_ states: [NotifyState]) throws(DatagramSocketError) {
        guard let socket, let address, !states.isEmpty else { return }
        try socket.send(Array(NotifyState.message(states).utf8), to: address)
    }

    /// Sends `states` as one datagram; a failure is logged, not thrown (systemd notifications are
    /// best effort: a daemon must keep running if the manager went away).
    public func notify(_ states: NotifyState...) {
        do {
            try send(states)
        } catch {
            logger?.warning("systemd notification failed: \(error)",
                            metadata: ["notify.message": "\(NotifyState.message(states))"])
        }
    }

    /// `READY=1`, optionally with a first `STATUS=` line in the same datagram.
    public func ready(status: String? = nil) {
        if let status { notify(.ready, .status(status)) } else { notify(.ready) }
    }

    /// `STATUS=` with `text` collapsed to one line.
    public func status(_ text: String) { notify(.status(text)) }

    /// `STOPPING=1`, optionally with a final `STATUS=` line.
    public func stopping(status: String? = nil) {
        if let status { notify(.stopping, .status(status)) } else { notify(.stopping) }
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` now; send `ready()` when the reload is done.
    public func reloading(status: String? = nil) {
        if let status { notify(.reloadingNow(), .status(status)) } else { notify(.reloadingNow()) }
    }

    /// `WATCHDOG=1`.
    public func watchdog() { notify(.watchdog) }

    /// `EXTEND_TIMEOUT_USEC=`: the current start/stop/reload step needs `duration` more from now.
    public func extendTimeout(by duration: Duration) { notify(.extendTimeout(duration)) }
}
