import ArgumentParser
import Foundation
import Migration

struct Backfill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load legacy data into PostgreSQL (idempotent, resumable).",
        subcommands: [PriceHistory.self, Snapshots.self]
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

        @OptionGroup var configOptions: ConfigOptions

        @Option(name: .long, help: "The legacy SQLite file (btc_price_history.db).")
        var from: String

        @Option(name: .long, help: "Reject file for rows that cannot be loaded (reasons in PATH.log).")
        var rejectFile = "price_history.reject"

        @Option(name: .long, help: "Checkpoint file to resume an interrupted run (removed when done).")
        var checkpoint: String?

        @Option(name: .long, help: "Rows per COPY transaction.")
        var chunkSize = 50_000

        @Flag(name: .long, help: "Print the summary as JSON.")
        var json = false

        @Flag(name: .long, help: "No progress output.")
        var quiet = false

        func validate() throws {
            guard chunkSize > 0 else { throw ValidationError("--chunk-size must be positive") }
        }

        func run() async throws {
            let (postgres, schema) = try configOptions.postgres()
            let backfill = PriceHistoryBackfill(
                options: .init(source: from, postgres: postgres, schema: schema, chunkSize: chunkSize,
                               rejectFile: rejectFile, checkpointFile: checkpoint),
                logger: logger)
            let summary = try await backfill.run(progress: quiet ? nil : { ProgressReporter(label: "price_history", total: $0) })
            try printBackfillSummary(summary, title: "backfill price-history: \(from) → \(schema.name).price_history", rejectFile: rejectFile, json: json,
                                     extra: ["fall-back rule   \(summary.fallBackRuleApplied) row(s) of the repeated autumn hour read as EST"])
        }
    }
}
