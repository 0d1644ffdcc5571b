import Logging
import ServiceKit
import StorageKit

/// The stores the ingest also writes after PostgreSQL, during the transition: the legacy
/// `fills.json` and `settlements.json` (`services.json`: `"writers": ["postgres", "json"]`).
///
/// PostgreSQL stays the only store the ingest depends on: a page's rows and checkpoint are
/// committed there first, then handed here; each shadow is a `FanOutWriter` over an already
/// committed primary, so a shadow that fails keeps the rows in its backlog (or spool), retries with
/// backoff and logs, and the cycle never waits for it or fails because of it.
public struct IngestShadows: Sendable {
    public var fills: (any Writer<KalshiFill>)?
    public var settlements: (any Writer<KalshiSettlement>)?

    /// No shadow: PostgreSQL only (the default and the end state).
    public static let none = IngestShadows()

    public init(fills: (any Writer<KalshiFill>)? = nil, settlements: (any Writer<KalshiSettlement>)? = nil) {
        self.fills = fills
        self.settlements = settlements
    }

    public var isEmpty: Bool { fills == nil && settlements == nil }

    /// The JSON form the ingest's account datasets have: the legacy one-file documents.
    public static let jsonForms = WriterFactory.JSONForms(document: true)

    /// The shadows `factory`'s service entry configures (none for `["postgres"]`).
    public init(factory: WriterFactory) throws {
        self.init(fills: try factory.makeShadowWriter(KalshiFill.self, json: Self.jsonForms),
                  settlements: try factory.makeShadowWriter(KalshiSettlement.self, json: Self.jsonForms))
    }

    /// Hands committed records to the shadow of their type, if any.
    func committed<R: StorableRecord>(_ records: [R]) async throws {
        guard !records.isEmpty else { return }
        if R.self == KalshiFill.self, let fills, let rows = records as? [KalshiFill] {
            try await fills.write(rows)
        } else if R.self == KalshiSettlement.self, let settlements, let rows = records as? [KalshiSettlement] {
            try await settlements.write(rows)
        }
    }

    /// Gives the shadows their flush time to catch up, then closes them (what a shadow still
    /// could not take is logged by its fan-out).
    public func close(logger: Logger) async {
        do { try await fills?.close() } catch { logger.warning("fills.json shadow close failed", metadata: ["error": "\(error)"]) }
        do { try await settlements?.close() } catch { logger.warning("settlements.json shadow close failed", metadata: ["error": "\(error)"]) }
    }
}
