/// A configuration this library cannot compute with (say, weights that do not match the deltas).
public struct PriceAnalyticsError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem; extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The code's name, for logs.
        public var description: String { name }

        /// A configuration value is out of range or inconsistent with another.
        public static let invalidConfiguration = Code("invalidConfiguration")
    }

    /// The kind of problem.
    public var code: Code
    /// The configuration field at fault, as named in the config file (e.g. `momentumWeights`).
    public var field: String
    /// What is wrong and what to do.
    public var message: String

    /// An error about `field`.
    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// What an operator reads in the journal: the field and what to change.
    public var description: String { "analysis configuration: \(field): \(message)" }
}
