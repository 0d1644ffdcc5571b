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

        @OptionGroup var window: BucketedParityOptions

        @Option(name: .long, help: "The folder holding market_snapshots-*.jsonl.")
        var jsonDir: String

        func run() async throws {
            let (postgres, schema) = try window.configOptions.postgres()
            let options = MarketSnapshotParity.Options(directory: jsonDir, postgres: postgres, schema: schema,
                                                       from: try window.fromSecond(), to: try window.toSecond(), bucketSeconds: window.bucketSeconds)
            try window.finish(try await MarketSnapshotParity(options: options, logger: logger).run())
        }
    }
}
