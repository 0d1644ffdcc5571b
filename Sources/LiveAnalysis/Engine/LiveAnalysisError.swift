/// A cycle that could not run (no reader yet). Read failures themselves are the store's errors
/// (`SQLiteError`, `PostgresError`, `StorageError`), passed through.
public struct LiveAnalysisError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem; extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The code's name, for logs.
        public var description: String { name }

        /// No price history reader has been installed (the daemon was not prepared).
        public static let noReader = Code("noReader")
    }

    /// The kind of problem.
    public var code: Code
    /// What failed and what to do.
    public var message: String

    /// An error of `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "live analysis: \(message)" }
}
