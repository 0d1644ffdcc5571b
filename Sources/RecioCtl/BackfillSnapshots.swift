import ArgumentParser
import Foundation
import Migration

extension Backfill {
    struct Snapshots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshots",
            abstract: "Load the JSON market snapshot exports of a folder into PostgreSQL market_snapshots.",
            discussion: """
                Reads the hourly archive export (market_snapshots-YYYYMMDDTHH.jsonl) and the legacy \
                latest_market_snapshot*.json files (a raw event response, dated by the file's modification \
                second; skipped when the archive export already holds that poll). Lines and markets that \
                cannot be read go to the reject file (PATH: raw text, PATH.log: file:line and reason). \
                Re-running inserts nothing new; with --checkpoint an interrupted run resumes after the \
                last file it finished.
                """
        )

        @OptionGroup var options: BackfillOptions

        @Option(name: .long, help: "The folder holding the snapshot exports.")
        var from: String

        @Option(name: .long, help: "Checkpoint file to resume an interrupted run (removed when done).")
        var checkpoint: String?

        func run() async throws {
            let (postgres, schema) = try options.configOptions.postgres()
            let rejectFile = options.rejectFile(default: "market_snapshots.reject")
            let backfill = MarketSnapshotBackfill(
                options: .init(directory: from, postgres: postgres, schema: schema, chunkSize: options.chunkSize(default: 20_000),
                               rejectFile: rejectFile, checkpointFile: checkpoint),
                logger: logger)
            let summary = try await backfill.run(progress: options.quiet ? nil : { ProgressReporter(label: "market_snapshots", total: $0) })
            try printBackfillSummary(summary, title: "backfill snapshots: \(from) → \(schema.name).market_snapshots", rejectFile: rejectFile,
                                     json: options.json)
        }
    }
}

/// The summary every backfill prints: read, inserted, already present, rejected, span.
func printBackfillSummary(_ summary: BackfillSummary, title: String, rejectFile: String, json: Bool, extra: [String] = []) throws {
    if json {
        try printJSON(summary)
        return
    }
    var lines = [
        title + (summary.resumed ? " (resumed)" : ""),
        "  read             \(summary.read)",
        "  inserted         \(summary.inserted)",
        "  already present  \(summary.alreadyPresent)",
        "  rejected         \(summary.rejected)" + (summary.rejected > 0 ? "  (rows in \(rejectFile), reasons in \(rejectFile).log)" : ""),
    ]
    lines += extra.map { "  " + $0 }
    lines.append("  span             \(summary.firstSecond.map(TimeArgument.format) ?? "-") … \(summary.lastSecond.map(TimeArgument.format) ?? "-")")
    print(lines.joined(separator: "\n"))
}
