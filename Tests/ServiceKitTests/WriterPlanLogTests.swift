import Logging
import Testing
@testable import ServiceKit

/// The per-store entries that make `journalctl WRITER=postgres` useful: one entry per dataset and
/// store, whose metadata become the `DATASET=`, `WRITER=` and `ROLE=` journal fields.
@Suite struct WriterPlanLogTests {
    @Test func oneEntryPerStoreWithWriterAndRole() {
        let capture = LogCapture()
        WriterPlanLog.log([
            (dataset: "price_history", plan: WriterFactory.Plan(primary: .sqlite, shadows: [.json, .postgres])),
            (dataset: "heartbeats", plan: nil),
        ], event: "reload", logger: capture.logger())

        let stored = capture.entries.filter { $0.metadata["writer"] != nil }
        #expect(stored.map { "\($0.metadata["writer"]!)/\($0.metadata["role"]!)" } == ["sqlite/primary", "json/shadow", "postgres/shadow"])
        #expect(stored.allSatisfy { $0.metadata["dataset"] == "price_history" && $0.metadata["event"] == "reload" })
        #expect(stored.map(\.message) == ["price_history → sqlite (primary)", "price_history → json (shadow)", "price_history → postgres (shadow)"])
        let unwritten = capture.entries.filter { $0.metadata["writer"] == nil }
        #expect(unwritten.map(\.message) == ["dataset not written at this stage"])
        #expect(unwritten.first?.metadata["dataset"] == "heartbeats")
        // The journal field names a field query uses.
        #expect(["writer", "dataset", "role"].compactMap(JournalFieldName.forMetadataKey) == ["WRITER", "DATASET", "ROLE"])
    }
}
