import ArgumentParser
import Foundation
import Migration
import StorageKit

struct Schema: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the PostgreSQL user schema.",
        subcommands: [SchemaCheckCommand.self]
    )
}

struct SchemaCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare the live user schema with what this binary's migrations define (exit 1 on any drift).",
        discussion: """
            Reads tables, columns (type, nullability, default), constraints, indexes and partitioning from \
            pg_catalog and compares them with a reference schema built by applying the migrations inside a \
            rolled-back transaction (needs CREATE on the database: use an admin role via --conninfo or PGUSER). \
            Monthly partitions are compared as the parent's strategy and key; their count is shown for information. \
            Also lists applied vs known migration versions: pending ones are applied by the daemons at start-up; \
            newer ones make daemons of this version refuse to start.
            """
    )

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: "A libpq conninfo to use instead of the config's (no password: libpq's PGPASSWORD/.pgpass).")
    var conninfo: String?

    @Option(name: .long, help: "The user schema to check (default: the config's postgres.schema).")
    var schema: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let (configuration, configured) = try configOptions.postgres(overridingConninfo: conninfo)
        let target = try schema.map(PostgresIdentifier.init) ?? configured
        let connection = PostgresConnection(configuration: configuration, logger: logger)
        let report: SchemaCheckReport
        do {
            report = try await SchemaCheck(schema: target, logger: logger).run(on: connection)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        if json { try printJSON(report) } else { print(report.rendered(), terminator: "") }
        if !report.ok { throw ExitCode(1) }
    }
}
