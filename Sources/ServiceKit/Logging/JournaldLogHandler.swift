import Logging

/// A swift-log handler for daemons supervised by systemd: structured entries straight to journald
/// (every metadata key becomes a field: `writer.name` → `WRITER_NAME`), or `<N>`-prefixed lines on
/// stderr that journald's stream parser and `SyslogLevelPrefix=` understand.
///
/// Every entry is written with one system call before `log` returns, so nothing waits in a buffer
/// when the process exits. Metadata whose key looks secret is replaced by `[redacted]` (see
/// `LogRedaction`); messages are written as given, so **never interpolate secrets into a message**.
public struct JournaldLogHandler: LogHandler {
    /// The logger's label, written as `LOGGER=`.
    public let label: String
    /// `SYSLOG_IDENTIFIER=`: the daemon's name as `journalctl -t` selects it.
    public let identifier: String
    /// Where entries go.
    public let destination: LogDestination

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata
    public var metadataProvider: Logger.MetadataProvider?

    public init(
        label: String,
        identifier: String,
        destination: LogDestination,
        logLevel: Logger.Level = .info,
        metadata: Logger.Metadata = [:],
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.identifier = identifier
        self.destination = destination
        self.logLevel = logLevel
        self.metadata = metadata
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let pairs = LogRedaction.flatten(effectiveMetadata(event.metadata))
        switch destination.kind {
        case .journal(let socket, let address):
            let entry = JournaldLogHandler.journalEntry(
                event: event, metadata: pairs, identifier: identifier, label: label)
            do {
                try socket.send(entry.nativeEncoding(), to: address)
            } catch {
                LogDestination.write(JournaldLogHandler.streamLine(event: event, metadata: pairs), to: destination.fallbackDescriptor)
            }
        case .stream(let descriptor):
            LogDestination.write(JournaldLogHandler.streamLine(event: event, metadata: pairs), to: descriptor)
        }
    }

    private func effectiveMetadata(_ eventMetadata: Logger.Metadata?) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let eventMetadata, !eventMetadata.isEmpty {
            merged.merge(eventMetadata) { _, new in new }
        }
        return merged
    }

    /// The journal entry for `event`: `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`, `CODE_FILE`,
    /// `CODE_LINE`, `CODE_FUNC`, `LOGGER`, `ERROR` (if the event carries one), then one field per
    /// metadata pair in the given order, named by `JournalFieldName`. Pure, for tests.
    public static func journalEntry(
        event: LogEvent,
        metadata: [(key: String, value: String)],
        identifier: String,
        label: String
    ) -> JournalEntry {
        var fields: [JournalEntry.Field] = [
            .init("MESSAGE", event.message.description),
            .init("PRIORITY", String(event.level.syslogPriority)),
            .init("SYSLOG_IDENTIFIER", identifier),
            .init("CODE_FILE", event.file),
            .init("CODE_LINE", String(event.line)),
            .init("CODE_FUNC", event.function),
            .init("LOGGER", label),
        ]
        if let error = event.error { fields.append(.init("ERROR", String(describing: error))) }
        for (key, value) in metadata {
            guard let name = JournalFieldName.forMetadataKey(key) else { continue }
            fields.append(.init(name, value))
        }
        return JournalEntry(fields: fields)
    }

    /// The stderr line for `event`: `<N>message key=value …\n`. Keys keep their dotted code form;
    /// values with spaces, quotes or `=` are double-quoted; newlines are escaped as `\n` so one
    /// entry stays one journal line. Pure, for tests.
    public static func streamLine(event: LogEvent, metadata: [(key: String, value: String)]) -> [UInt8] {
        var line = "<\(event.level.syslogPriority)>" + escapeNewlines(event.message.description)
        var pairs = metadata
        if let error = event.error { pairs.append(("error", String(describing: error))) }
        for (key, value) in pairs {
            line += " \(key)=\(quoteIfNeeded(escapeNewlines(value)))"
        }
        line += "\n"
        return Array(line.utf8)
    }

    private static func escapeNewlines(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return text.replacingAll("\r\n", with: "\\n").replacingAll("\n", with: "\\n").replacingAll("\r", with: "\\r")
    }

    private static func quoteIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\t" }
        guard needsQuotes else { return value }
        return "\"" + value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
