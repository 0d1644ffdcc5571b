import ArgumentParser
import Foundation
import Migration

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every service's stage, time at it, writers, reader, newest row per store, unit state, backlog and last parity."
    )

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var controlOptions: ServiceControlOptions

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let config = try configOptions.load()
        let (postgres, schema) = try configOptions.postgres()
        let report = await StatusCollector(config: config, control: controlOptions.control, postgres: postgres, schema: schema,
                                           now: try currentTime(), logger: logger).collect()
        if json { try printJSON(report) } else { print(report.rendered, terminator: "") }
    }
}
