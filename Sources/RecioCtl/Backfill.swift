import ArgumentParser
import Foundation
import Migration

struct Backfill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load legacy data into PostgreSQL (idempotent, resumable).",
        subcommands: [PriceHistory.self, Account.self, Snapshots.self]
    )

    struct PriceHistory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "price-history",
            abstract: "Load a legacy btc_price_history.db (price_log) into PostgreSQL price_history.",
            discussion: """
                Keys are New York local time; a key of the autumn fall-back hour is read as its EST \
                instant (the legacy INSERT OR REPLACE let the EST pass overwrite the EDT one), and the \
                number of such rows is reported. Spring-forward times, bad keys and non-positive or \
                missing prices go to the reject file (PATH: raw rows, PATH.log: reasons). Prices are \
                rounded to the cent, ties to even. Re-running inserts nothing new; with --checkpoint an \
                interrupted run resumes after its last committed chunk.
                """
        )

        @OptionGroup var options: BackfillOptions

        @Option(name: .long, help: "The legacy SQLite file (btc_price_history.db).")
        var from: String

        @Option(name: .long, help: "Checkpoint file to resume an interrupted run (removed when done).")
        var checkpoint: String?

        func run() async throws {
            let (postgres, schema) = try options.configOptions.postgres()
            let rejectFile = options.rejectFile(default: "price_history.reject")
            let backfill = PriceHistoryBackfill(
                options: .init(source: from, postgres: postgres, schema: schema, chunkSize: options.chunkSize(default: 50_000),
                               rejectFile: rejectFile, checkpointFile: checkpoint),
                logger: logger)
            let summary = try await backfill.run(progress: options.quiet ? nil : { ProgressReporter(label: "price_history", total: $0) })
            try printBackfillSummary(summary, title: "backfill price-history: \(from) → \(schema.name).price_history", rejectFile: rejectFile,
                                     json: options.json,
                                     extra: ["fall-back rule   \(summary.fallBackRuleApplied) row(s) of the repeated autumn hour read as EST"])
        }
    }

    struct Account: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "account",
            abstract: "Load the legacy fills.json, settlements.json (and positions.json) into the PostgreSQL account tables.",
            discussion: """
                Same decoding and keys as kalshi-historical-ingest: fills by trade_id, settlements by \
                ticker and settled time, integer cents and fixed-point dollars both accepted. Every file \
                is parsed before anything is written. Objects that cannot be loaded go to the reject file \
                (PATH: the objects, PATH.log: reasons). Re-running inserts nothing new. Positions load \
                only into an empty table (the daemon's snapshot is newer than any legacy file).
                """
        )

        @OptionGroup var options: BackfillOptions

        @Option(name: .long, help: "The legacy folder holding fills.json, settlements.json, positions.json.")
        var from: String

        func run() async throws {
            let (postgres, schema) = try options.configOptions.postgres()
            let rejectFile = options.rejectFile(default: "account.reject")
            let backfill = AccountBackfill(
                options: .init(directory: from, postgres: postgres, schema: schema, chunkSize: options.chunkSize(default: 5_000),
                               rejectFile: rejectFile),
                logger: logger)
            let summaries = try await backfill.run(progress: options.quiet ? nil : { ProgressReporter(label: $0, total: $1) })
            if options.json {
                try printJSON(summaries)
                return
            }
            print("backfill account: \(from) → \(schema.name)")
            print("  dataset             read   inserted   already present   rejected")
            for s in summaries {
                if let skipped = s.skipped {
                    print("  \(s.dataset.padding(toLength: 18, withPad: " ", startingAt: 0))  skipped: \(skipped)")
                    continue
                }
                func col(_ n: Int, _ w: Int) -> String { String(repeating: " ", count: max(0, w - String(n).count)) + String(n) }
                print("  \(s.dataset.padding(toLength: 18, withPad: " ", startingAt: 0))\(col(s.read, 6))\(col(s.inserted, 11))\(col(s.alreadyPresent, 18))\(col(s.rejected, 11))")
            }
            let rejected = summaries.reduce(0) { $0 + $1.rejected }
            if rejected > 0 { print("  rejected objects are in \(rejectFile), reasons in \(rejectFile).log") }
        }
    }
}
