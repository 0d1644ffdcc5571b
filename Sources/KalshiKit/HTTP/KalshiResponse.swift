import Foundation
import StorageKit

/// A 2xx response whose body is a JSON document (not an `error` object).
public struct KalshiResponse: Sendable {
    public var status: Int
    /// The body parsed with member order and number text kept.
    public var document: OrderedJSON
    /// The body as received.
    public var body: Data
}
