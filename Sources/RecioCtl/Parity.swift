import ArgumentParser
import Foundation
import Migration

struct Parity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a legacy store with PostgreSQL, bucket by bucket, down to the rows.",
        subcommands: [PriceHistory.self, Snapshots.self, Fills.self, Settlements.self]
    )

    struct PriceHistory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "price-history",
            abstract: "Compare a legacy price_log with PostgreSQL price_history.",
            discussion: """
                Per bucket: row count and an order-independent checksum of "<epoch>|<price>" rows, \
                computed inside PostgreSQL and in one pass over the SQLite file; differing buckets are \
                bisected down to rows. Known legacy artefacts (the fall-back hour, rows before the legacy \
                30-day horizon, seconds the legacy never wrote) are reported apart. Exit 1 on any \
                unexplained difference.
                """
        )

        @OptionGroup var window: BucketedParityOptions

        @Option(name: .long, help: "The legacy SQLite file (btc_price_history.db).")
        var sqlite: String

        func run() async throws {
            let (postgres, schema) = try window.configOptions.postgres()
            let options = PriceHistoryParity.Options(sqlitePath: sqlite, postgres: postgres, schema: schema,
                                                     from: try window.fromSecond(), to: try window.toSecond(), bucketSeconds: window.bucketSeconds)
            try window.finish(try await PriceHistoryParity(options: options, logger: logger).run())
        }
    }

    struct Fills: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the legacy fills.json with PostgreSQL kalshi_fills, fill by fill (trade_id).",
            discussion: AccountCommand.discussion
        )
        @OptionGroup var account: AccountCommand
        func run() async throws { try await account.run(.fills) }
    }

    struct Settlements: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the legacy settlements.json with PostgreSQL kalshi_settlements (ticker, settled time).",
            discussion: AccountCommand.discussion
        )
        @OptionGroup var account: AccountCommand
        func run() async throws { try await account.run(.settlements) }
    }

    /// The options both account parity commands share.
    struct AccountCommand: ParsableArguments {
        static let discussion = """
            Both sides are decoded into the same records (legacy objects with the ingest's decoders, \
            PostgreSQL rows with the table mapping) and compared without the raw JSON, over the legacy \
            file's time span. Legacy objects that do not decode are counted apart. Exit 1 on any \
            difference.
            """

        @OptionGroup var configOptions: ConfigOptions

        @Option(name: .long, help: "The legacy folder holding fills.json and settlements.json.")
        var from: String

        @Flag(name: .long, help: "Print the report as JSON.")
        var json = false

        func run(_ dataset: AccountParity.Dataset) async throws {
            let (postgres, schema) = try configOptions.postgres()
            let report = try await AccountParity(options: .init(directory: from, dataset: dataset, postgres: postgres, schema: schema),
                                                 logger: logger).run()
            if json { try printJSON(report) } else { print(report.rendered(), terminator: "") }
            if !report.ok { throw ExitCode(1) }
        }
    }
}
