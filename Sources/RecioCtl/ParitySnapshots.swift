import ArgumentParser
import Foundation
import Migration

extension Parity {
    struct Snapshots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshots",
            abstract: "Compare the JSON market snapshot export with PostgreSQL market_snapshots.",
            discussion: """
                Per bucket: row count and an order-independent checksum of the canonical rows (every \
                column but the raw JSON; SHA-256 computed inside PostgreSQL and over the export files); \
                differing buckets are bisected down to rows (second and market ticker). Exit 1 on any \
                difference.
                """
        )

        @OptionGroup var configOptions: ConfigOptions

        @Option(name: .long, help: "The folder holding market_snapshots-*.jsonl.")
        var jsonDir: String

        @Option(name: .long, help: "Window start, UTC (epoch seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ). Default: the first row of either store.")
        var from: String?

        @Option(name: .long, help: "Window end, exclusive. Default: just after the export's last record.")
        var to: String?

        @Option(name: .long, help: "Bucket size: 1h, 30m, 1d, 900s...")
        var bucket = "1h"

        @Flag(name: .long, help: "Print the report as JSON.")
        var json = false

        func run() async throws {
            guard let seconds = TimeArgument.duration(bucket) else { throw ValidationError("--bucket: expected e.g. 1h, 30m, 1d, got \"\(bucket)\"") }
            let (postgres, schema) = try configOptions.postgres()
            let options = MarketSnapshotParity.Options(directory: jsonDir, postgres: postgres, schema: schema,
                                                       from: try parseTime(from, "--from"), to: try parseTime(to, "--to"), bucketSeconds: seconds)
            let report = try await MarketSnapshotParity(options: options, logger: logger).run()
            if json { try printJSON(report) } else { print(report.rendered(), terminator: "") }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
