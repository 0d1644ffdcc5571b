import CLibPQ
import Logging

/// The one owner of a libpq `PGconn`: `PQfinish` runs exactly once, when the last reference goes.
/// Only `PostgresConnection` holds it, and only on its serial executor.
final class PostgresConnectionHandle {
    let pointer: OpaquePointer
    /// Receives the server's notices and warnings (libpq would print them to stderr). Kept alive
    /// by this handle for as long as libpq may call into it.
    private let noticeSink: NoticeSink

    init(_ pointer: OpaquePointer, logger: Logger) {
        self.pointer = pointer
        self.noticeSink = NoticeSink(logger: logger)
        PQsetNoticeReceiver(pointer, { context, result in
            guard let context, let result else { return }
            let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
            let text = PQresultErrorMessage(result).map { String(cString: $0).trimmingTrailingNewlines() } ?? ""
            sink.logger.debug("PostgreSQL notice", metadata: ["postgres.notice": .string(text)])
        }, Unmanaged.passUnretained(noticeSink).toOpaque())
    }

    /// The target of libpq's notice callback.
    final class NoticeSink {
        let logger: Logger
        init(logger: Logger) { self.logger = logger }
    }

    /// Whether libpq still considers the connection usable.
    var isOK: Bool { PQstatus(pointer) == CONNECTION_OK }

    /// libpq's last error message for this connection, without the trailing newline.
    var errorMessage: String {
        guard let text = PQerrorMessage(pointer) else { return "unknown libpq error" }
        return String(cString: text).trimmingTrailingNewlines()
    }

    deinit {
        PQfinish(pointer)
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }
}
