import ArgumentParser
import Foundation
import Migration
import StorageKit

struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Monthly partition retention for PostgreSQL price history (and, optionally, snapshots).",
        subcommands: [Apply.self]
    )

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create partitions ahead; drop (or detach) partitions entirely outside the keep window.",
            discussion: """
                Keeps the last --keep-months months plus the current one (default 24: two years; price history \
                may not be kept for less). Whole partitions only, never a row-by-row DELETE. Without --yes, an \
                interactive run is a dry run that lists what would be removed with row counts.
                """
        )

        @OptionGroup var configOptions: ConfigOptions

        @Option(name: .long, help: "Months kept before the current one.")
        var keepMonths = 24

        @Option(name: .long, help: "Months of partitions created ahead (at least 3).")
        var ahead = 3

        @Option(name: .long, help: "A partitioned table to manage (repeatable; default price_history; also market_snapshots, live_analysis).")
        var table: [String] = []

        @Flag(name: .long, help: "Detach old partitions instead of dropping them.")
        var detach = false

        @Flag(name: .long, help: "Only print what would change.")
        var dryRun = false

        @Flag(name: .long, help: "Apply without asking (required to change anything from a terminal).")
        var yes = false

        @Flag(name: .long, help: "Print the plan as JSON.")
        var json = false

        func run() async throws {
            let (postgres, schema) = try configOptions.postgres()
            var options = PartitionRetention.Options(schema: schema)
            if !table.isEmpty { options.tables = table }
            options.keepMonths = keepMonths
            options.ahead = ahead
            options.detach = detach
            options.now = try currentTime()
            options.dryRun = dryRun || (!yes && isatty(STDIN_FILENO) == 1)
            let connection = PostgresConnection(configuration: postgres, logger: logger)
            let plan: RetentionPlan
            do {
                plan = try await PartitionRetention(options: options, logger: logger).run(on: connection)
                await connection.close()
            } catch {
                await connection.close()
                throw error
            }
            if json { try printJSON(plan) } else { print(plan.rendered, terminator: "") }
        }
    }
}
