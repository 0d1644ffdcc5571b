/// Keeps a daemon's `STATUS=` line current: parts of the daemon update named slots
/// (`writers`, `last_row`, `backlog`, …) and the reporter sends the composed line to systemd only
/// when it changed. Slots appear in the order given at init, then in order of first update.
public actor StatusReporter {
    private let notifier: SystemdNotifier
    private var order: [String]
    private var slots: [String: String] = [:]
    private var lastSent: String?

    /// - Parameter slots: The display order of the known slots.
    public init(notifier: SystemdNotifier, slots: [String] = []) {
        self.notifier = notifier
        self.order = slots
    }

    /// The line as it reads now.
    public var line: StatusLine { StatusLine(order.map { slots[$0] }) }

    /// Sets (or with `nil`, clears) one slot and publishes the line if it changed.
    public func update(_ slot: String, _ text: String?) {
        if !order.contains(slot) { order.append(slot) }
        slots[slot] = text
        publish()
    }

    /// Sets several slots at once and publishes at most one line.
    public func update(_ values: [(slot: String, text: String?)]) {
        for (slot, text) in values {
            if !order.contains(slot) { order.append(slot) }
            slots[slot] = text
        }
        publish()
    }

    private func publish() {
        let text = line.description
        guard text != lastSent else { return }
        lastSent = text
        notifier.status(text)
    }
}
