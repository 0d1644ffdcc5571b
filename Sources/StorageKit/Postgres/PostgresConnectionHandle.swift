import CLibPQ

/// The one owner of a libpq `PGconn`: `PQfinish` runs exactly once, when the last reference goes.
/// Only `PostgresConnection` holds it, and only on its serial executor.
final class PostgresConnectionHandle {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
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
