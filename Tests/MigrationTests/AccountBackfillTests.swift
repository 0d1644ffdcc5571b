import Foundation
import Testing
import StorageKit

/// `recioctl backfill account` end to end: legacy integer-cent files in, exact dollars out,
/// rejects with reasons, idempotent re-run, corrupt input refused before anything is written.
@Suite("recioctl backfill account", .timeLimit(.minutes(3)))
struct AccountBackfillTests {
    static let fills = """
        {"fills": [
          {"trade_id": "t-1", "order_id": "o-1", "ticker": "KXBTCD-25AUG0817-T116999.99", "side": "yes", "action": "buy",
           "count": 10, "yes_price": 56, "no_price": 44, "is_taker": true, "created_time": "2025-08-08T20:01:02.345Z"},
          {"trade_id": "t-2", "order_id": "o-1", "ticker": "KXBTCD-25AUG0817-T116999.99", "side": "no", "action": "sell",
           "count": 3, "yes_price": 1, "no_price": 99, "is_taker": false, "created_time": "2025-08-08T20:05:00Z"},
          {"trade_id": "t-3", "fill_id": "f-3", "order_id": "o-2", "ticker": "KXBTCD-25AUG0818-T117249.99", "market_ticker": "KXBTCD-25AUG0818-T117249.99",
           "side": "yes", "action": "buy", "count_fp": "2.50", "yes_price_dollars": "0.1234", "no_price_dollars": "0.8766",
           "is_taker": true, "fee_cost": "0.0200", "created_time": "2025-08-08T21:00:00Z"},
          {"order_id": "o-9", "ticker": "KXBTCD-25AUG0817-T116999.99", "side": "yes", "action": "buy", "count": 1, "yes_price": 5, "no_price": 95,
           "created_time": "2025-08-08T20:01:02Z"},
          {"trade_id": "t-5", "ticker": "KXBTCD-25AUG0817-T116999.99", "side": "yes", "action": "buy", "count": 1, "yes_price": 150, "no_price": 0,
           "created_time": "2025-08-08T20:01:02Z"}
        ]}
        """
    static let settlements = """
        {"settlements": [
          {"ticker": "KXBTCD-25AUG0817-T116999.99", "event_ticker": "KXBTCD-25AUG0817", "market_result": "yes", "yes_count": 10,
           "yes_total_cost": 560, "no_count": 0, "no_total_cost": 0, "revenue": 1000, "settled_time": "2025-08-08T21:05:00Z"},
          {"ticker": "KXBTCD-25AUG0818-T117249.99", "event_ticker": "KXBTCD-25AUG0818", "market_result": "no", "yes_count": 0,
           "yes_total_cost": 0, "no_count": 4, "no_total_cost": 132, "revenue": 400, "settled_time": "2025-08-08T22:05:00Z", "value": 0}
        ]}
        """
    static let positions = """
        {"market_positions": [
          {"ticker": "KXBTCD-25AUG0819-T117499.99", "position": -3, "total_traded": 1200, "market_exposure": 300,
           "realized_pnl": -45, "resting_orders_count": 1, "fees_paid": 7}
        ], "event_positions": []}
        """

    @Test func loadsExactlyRejectsWithReasonsAndIsIdempotent() async throws {
        try await withTemporaryDirectory { dir in
            try Data(Self.fills.utf8).write(to: dir.appendingPathComponent("fills.json"))
            try Data(Self.settlements.utf8).write(to: dir.appendingPathComponent("settlements.json"))
            try Data(Self.positions.utf8).write(to: dir.appendingPathComponent("positions.json"))
            try await TestPostgres.withSchema(.nameOnly) { schema, conn in
                let config = dir.appendingPathComponent("services.json")
                try writeServicesConfig(at: config, schema: schema.name, legacyDir: nil)
                let reject = dir.appendingPathComponent("account.reject").path
                let first = try await RecioCtlCommandTests.run(["backfill", "account", "--config", config.path, "--from", dir.path,
                                                                 "--reject-file", reject])
                #expect(first.status == 0, "\(first.stderr)")
                // The table: dataset, read, inserted, already present, rejected.
                let table = Dictionary(uniqueKeysWithValues: first.stdout.split(separator: "\n").compactMap { line -> (String, [String])? in
                    let cells = line.split(separator: " ").map(String.init)
                    return cells.first?.hasPrefix("kalshi_") == true ? (cells[0], Array(cells.dropFirst())) : nil
                })
                #expect(table["kalshi_fills"] == ["5", "3", "0", "2"], "\(first.stdout)")
                #expect(table["kalshi_settlements"] == ["2", "2", "0", "0"], "\(first.stdout)")
                #expect(table["kalshi_positions"] == ["1", "1", "0", "0"], "\(first.stdout)")

                let fill = try await conn.query("SELECT count::text, yes_price::text, no_price::text, created_time::text, is_taker::text FROM \(schema.quoted).kalshi_fills WHERE trade_id = 't-1'")
                #expect(fill.rows.first == ["10.00", "0.5600", "0.4400", "2025-08-08 20:01:02+00", "true"])
                let fp = try await conn.query("SELECT count::text, yes_price::text, fee_cost::text FROM \(schema.quoted).kalshi_fills WHERE trade_id = 't-3'")
                #expect(fp.rows.first == ["2.50", "0.1234", "0.0200"])
                let settlement = try await conn.query("SELECT revenue::text, no_total_cost::text, value::text FROM \(schema.quoted).kalshi_settlements WHERE market_result = 'no'")
                #expect(settlement.rows.first == ["4.0000", "1.3200", "0.0000"])
                let position = try await conn.query("SELECT position::text, realized_pnl::text FROM \(schema.quoted).kalshi_positions")
                #expect(position.rows.first == ["-3.00", "-0.4500"])

                let reasons = try String(contentsOfFile: reject + ".log", encoding: .utf8).split(separator: "\n")
                #expect(reasons.count == 2)
                #expect(reasons[0].contains("fill.trade_id: missing"), "\(reasons)")
                #expect(reasons[1].contains("yes_price 1.5000"), "\(reasons)")
                let rejected = try String(contentsOfFile: reject, encoding: .utf8).split(separator: "\n")
                #expect(rejected.count == 2 && rejected[0].contains("\"order_id\":\"o-9\""), "\(rejected)")

                let again = try await RecioCtlCommandTests.run(["backfill", "account", "--config", config.path, "--from", dir.path,
                                                                 "--reject-file", reject, "--json"])
                #expect(again.status == 0, "\(again.stderr)")
                let summary = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [[String: Any]]
                let byName = Dictionary(uniqueKeysWithValues: (summary ?? []).map { ($0["dataset"] as? String ?? "", $0) })
                #expect(byName["kalshi_fills"]?["inserted"] as? Int == 0)
                #expect(byName["kalshi_fills"]?["alreadyPresent"] as? Int == 3)
                #expect(byName["kalshi_settlements"]?["inserted"] as? Int == 0)
                #expect(byName["kalshi_positions"]?["skipped"] != nil)

                // Parity: equal after the backfill; a changed and a missing fill are found by key.
                let same = try await RecioCtlCommandTests.run(["parity", "fills", "--config", config.path, "--from", dir.path])
                #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
                #expect(same.stdout.contains("matching          3") && same.stdout.contains("undecodable       2"), "\(same.stdout)")
                let settled = try await RecioCtlCommandTests.run(["parity", "settlements", "--config", config.path, "--from", dir.path])
                #expect(settled.status == 0, "\(settled.stdout)\(settled.stderr)")
                try await conn.execute("UPDATE \(schema.quoted).kalshi_fills SET yes_price = 0.5700 WHERE trade_id = 't-1'")
                try await conn.execute("DELETE FROM \(schema.quoted).kalshi_fills WHERE trade_id = 't-2'")
                let changed = try await RecioCtlCommandTests.run(["parity", "fills", "--config", config.path, "--from", dir.path])
                #expect(changed.status == 1, "\(changed.stdout)\(changed.stderr)")
                #expect(changed.stdout.contains("only in legacy: t-2") && changed.stdout.contains("differing: t-1"), "\(changed.stdout)")
            }
        }
    }

    @Test func corruptInputIsRefusedBeforeAnythingIsWritten() async throws {
        try await withTemporaryDirectory { dir in
            try Data(Self.settlements.utf8).write(to: dir.appendingPathComponent("settlements.json"))
            try Data("{\"fills\": [{\"trade_id\": \"t-1\",".utf8).write(to: dir.appendingPathComponent("fills.json"))
            try await TestPostgres.withSchema(.migrated) { schema, conn in
                let config = dir.appendingPathComponent("services.json")
                try writeServicesConfig(at: config, schema: schema.name, legacyDir: nil)
                let run = try await RecioCtlCommandTests.run(["backfill", "account", "--config", config.path, "--from", dir.path,
                                                               "--reject-file", dir.appendingPathComponent("r").path])
                #expect(run.status != 0)
                #expect(run.stderr.contains("fills.json") && run.stderr.contains("not valid JSON"), "\(run.stderr)")
                let rows = try await conn.query("SELECT (SELECT count(*) FROM \(schema.quoted).kalshi_settlements) + (SELECT count(*) FROM \(schema.quoted).kalshi_fills)")
                #expect(rows.rows.first?.first == "0")
            }
        }
    }
}
