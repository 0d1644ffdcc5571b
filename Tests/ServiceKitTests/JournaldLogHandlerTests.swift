import Foundation
import RecioTestSupport
import Logging
import Testing
@testable import ServiceKit

/// Decodes a native-protocol datagram back into fields (both the `NAME=value` and the binary form).
func decodeJournalDatagram(_ bytes: [UInt8]) -> [JournalEntry.Field] {
    var fields: [JournalEntry.Field] = []
    var index = 0
    while index < bytes.count {
        guard let end = bytes[index...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "=") }) else { break }
        let name = String(decoding: bytes[index..<end], as: UTF8.self)
        if bytes[end] == UInt8(ascii: "=") {
            let valueEnd = bytes[(end + 1)...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            fields.append(.init(name, String(decoding: bytes[(end + 1)..<valueEnd], as: UTF8.self)))
            index = valueEnd + 1
        } else {
            let length = bytes[(end + 1)..<(end + 9)].reversed().reduce(0) { $0 << 8 | Int($1) }
            let start = end + 9
            fields.append(.init(name, String(decoding: bytes[start..<(start + length)], as: UTF8.self)))
            index = start + length + 1
        }
    }
    return fields
}

/// A pipe whose read end the test drains after the code under test wrote to the write end.
struct Pipe2 {
    let read: Int32
    let write: Int32
    init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        read = fds[0]
        write = fds[1]
    }
    func drain() -> String {
        close(write)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(read, &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(read)
        return String(decoding: output, as: UTF8.self)
    }
}

private func event(_ level: Logger.Level, _ message: Logger.Message, error: (any Error)? = nil) -> LogEvent {
    LogEvent(level: level, message: message, error: error, metadata: nil, source: "ServiceKitTests",
             file: "ServiceKitTests/JournaldLogHandlerTests.swift", function: "test()", line: 42)
}

private struct BrokenPipe: Error, CustomStringConvertible { var description: String { "connection reset" } }

@Suite(.timeLimit(.minutes(1)))
struct JournaldLogHandlerTests {
    @Test(arguments: [
        ("writer.name", "WRITER_NAME"), ("rows", "ROWS"), ("lag-ms", "LAG_MS"), ("BACKLOG", "BACKLOG"),
        ("_private", "PRIVATE"), ("__x.y", "X_Y"), ("9lives", "F_9LIVES"), ("message", "META_MESSAGE"),
        ("priority", "META_PRIORITY"), ("Ü.key", "KEY"), ("a b/c", "A_B_C"),
    ])
    func mapsMetadataKeysToFieldNames(key: String, field: String) {
        #expect(JournalFieldName.forMetadataKey(key) == field)
    }

    @Test func rejectsOrTruncatesUnusableKeys() {
        #expect(JournalFieldName.forMetadataKey("___") == nil)
        #expect(JournalFieldName.forMetadataKey("") == nil)
        #expect(JournalFieldName.forMetadataKey(String(repeating: "k", count: 100)) == String(repeating: "K", count: 64))
    }

    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func mapsLevelsToPriorities(level: Logger.Level, priority: Int) {
        #expect(level.syslogPriority == priority)
        let entry = JournaldLogHandler.journalEntry(event: event(level, "m"), metadata: [], identifier: "x", label: "l")
        #expect(entry["PRIORITY"] == String(priority))
        #expect(JournaldLogHandler.streamLine(event: event(level, "m"), metadata: []) == Array("<\(priority)>m\n".utf8))
    }

    @Test func encodesTheExactDatagram() {
        let pairs = LogRedaction.flatten(["rows": "3", "writer": ["name": "sqlite"], "detail": "line 1\nline 2"])
        let entry = JournaldLogHandler.journalEntry(
            event: event(.warning, "batch stored late"), metadata: pairs, identifier: "btc-price-watchdog", label: "recio.writer")
        var expected = Array("""
            MESSAGE=batch stored late
            PRIORITY=4
            SYSLOG_IDENTIFIER=btc-price-watchdog
            CODE_FILE=ServiceKitTests/JournaldLogHandlerTests.swift
            CODE_LINE=42
            CODE_FUNC=test()
            LOGGER=recio.writer
            DETAIL

            """.utf8)
        expected += [13, 0, 0, 0, 0, 0, 0, 0] + Array("line 1\nline 2\n".utf8)
        expected += Array("ROWS=3\nWRITER_NAME=sqlite\n".utf8)
        #expect(entry.nativeEncoding() == expected)
        #expect(decodeJournalDatagram(expected) == entry.fields)
    }

    @Test func redactsSecretLikeKeysButNotMessages() {
        let pairs = LogRedaction.flatten([
            "pg.password": "hunter2", "kalshi_private_key": "-----BEGIN", "authToken": "abc", "credentials": ["user": "recio"],
            "db": ["host": "db1", "password": "p4ss"], "hosts": [["name": "a", "secret": "s"]], "rows": "3",
        ])
        let values = Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
        #expect(values == [
            "pg.password": "[redacted]", "kalshi_private_key": "[redacted]", "authToken": "[redacted]",
            "credentials": "[redacted]", "db.host": "db1", "db.password": "[redacted]",
            "hosts": "[[name: a, secret: [redacted]]]", "rows": "3",
        ])
        #expect(pairs.map(\.key) == pairs.map(\.key).sorted())
        let line = JournaldLogHandler.streamLine(event: event(.info, "user said password=x"), metadata: pairs)
        #expect(String(decoding: line, as: UTF8.self).hasPrefix("<6>user said password=x "))
        #expect(!String(decoding: line, as: UTF8.self).contains("hunter2"))
    }

    @Test func formatsStderrLines() {
        let line = JournaldLogHandler.streamLine(
            event: event(.error, "flush failed\nretrying", error: BrokenPipe()),
            metadata: [("writer.name", "postgres"), ("reason", "server closed the connection"), ("empty", ""), ("q", "a\"b")])
        #expect(String(decoding: line, as: UTF8.self)
            == "<3>flush failed\\nretrying writer.name=postgres reason=\"server closed the connection\" empty=\"\" q=\"a\\\"b\" error=\"connection reset\"\n")
    }

    @Test func sendsARealEntryToTheJournalSocket() async throws {
        try await withTemporaryDirectory { directory in
            let journal = try DatagramReceiver(directory: directory, name: "journal.sock")
            let destination = try LogDestination.journal(socketPath: journal.address)
            #expect(destination.isJournal)
            var logger = Logger(label: "recio.test") { label in
                RecioLogging.makeHandler(label: label, service: "btc-price-watchdog", destination: destination)
            }
            logger[metadataKey: "writer.name"] = "sqlite"
            logger.warning("price feed stalled", metadata: ["lag_ms": "1500", "stack": "a\nb", "pg.password": "hunter2"])
            logger.debug("below the level: never sent")

            let fields = decodeJournalDatagram(try #require(await journal.receive()))
            let values = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            #expect(values["MESSAGE"] == "price feed stalled")
            #expect(values["PRIORITY"] == "4")
            #expect(values["SYSLOG_IDENTIFIER"] == "btc-price-watchdog")
            #expect(values["SERVICE"] == "btc-price-watchdog")
            #expect(values["WRITER_NAME"] == "sqlite")
            #expect(values["LAG_MS"] == "1500")
            #expect(values["STACK"] == "a\nb")
            #expect(values["PG_PASSWORD"] == "[redacted]")
            #expect(values["CODE_FUNC"]?.isEmpty == false)
            #expect(values["CODE_LINE"].flatMap(Int.init) != nil)
            #expect(await journal.receive(timeout: .milliseconds(20)) == nil)
        }
    }

    @Test func fallsBackToStderrLinesWhenJournaldIsGone() async throws {
        try await withTemporaryDirectory { directory in
            let pipe = Pipe2()
            let destination = try LogDestination.journal(
                socketPath: directory.appendingPathComponent("missing.sock").path, fallbackDescriptor: pipe.write)
            let logger = Logger(label: "t") { label in
                RecioLogging.makeHandler(label: label, service: "live-data-analysis", destination: destination)
            }
            logger.error("cannot reach postgres", metadata: ["attempt": "3"])
            #expect(pipe.drain() == "<3>cannot reach postgres attempt=3 service=live-data-analysis\n")
        }
    }

    @Test func writesStreamLinesUnbuffered() {
        let pipe = Pipe2()
        let logger = Logger(label: "t") { label in
            RecioLogging.makeHandler(label: label, service: "recioctl", destination: .stream(fileDescriptor: pipe.write))
        }
        logger.notice("started", metadata: ["config": "/etc/recio/services.json"])
        logger.info("second")
        #expect(pipe.drain() == "<5>started config=/etc/recio/services.json service=recioctl\n<6>second service=recioctl\n")
    }

    @Test(arguments: [
        (JournalDetection(journalStream: "8:42", stderrIdentity: "8:42", journalSocketExists: true, stderrIsTerminal: false), true),
        (JournalDetection(journalStream: "8:42", stderrIdentity: nil, journalSocketExists: false, stderrIsTerminal: false), true),
        (JournalDetection(journalStream: "8:42", stderrIdentity: "9:1", journalSocketExists: true, stderrIsTerminal: false), false),
        (JournalDetection(journalStream: nil, stderrIdentity: "9:1", journalSocketExists: true, stderrIsTerminal: false), true),
        (JournalDetection(journalStream: nil, stderrIdentity: "9:1", journalSocketExists: true, stderrIsTerminal: true), false),
        (JournalDetection(journalStream: nil, stderrIdentity: "9:1", journalSocketExists: false, stderrIsTerminal: false), false),
    ])
    func decidesWhenToUseTheJournal(detection: JournalDetection, expected: Bool) {
        #expect(detection.prefersJournal == expected)
    }

    @Test func readsTheLogLevelFromTheEnvironment() {
        #expect(RecioLogging.logLevel(environment: ["RECIO_LOG_LEVEL": "DEBUG"]) == .debug)
        #expect(RecioLogging.logLevel(environment: ["RECIO_LOG_LEVEL": "loud"]) == .info)
        #expect(RecioLogging.logLevel(environment: [:]) == .info)
        #expect(JournalDetection.current(environment: ["JOURNAL_STREAM": ""]).journalStream == nil)
    }
}
