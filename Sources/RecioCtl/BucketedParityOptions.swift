import ArgumentParser
import Migration

/// The options of the bucketed parity commands (price history, snapshots): the window, the bucket
/// size and the output; `finish` prints the report and exits 1 on an unexplained difference.
struct BucketedParityOptions: ParsableArguments {
    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: "Window start, UTC (epoch seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ). Default: the first row of either store.")
    var from: String?

    @Option(name: .long, help: "Window end, exclusive. Default: just after the legacy side's last record.")
    var to: String?

    @Option(name: .long, help: "Bucket size: 1h, 30m, 1d, 900s...")
    var bucket = "1h"

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard TimeArgument.duration(bucket) != nil else { throw ValidationError("--bucket: expected e.g. 1h, 30m, 1d, got \"\(bucket)\"") }
    }

    var bucketSeconds: Int64 { TimeArgument.duration(bucket) ?? 3600 }
    func fromSecond() throws -> Int64? { try parseTime(from, "--from") }
    func toSecond() throws -> Int64? { try parseTime(to, "--to") }

    func finish(_ report: ParityReport) throws {
        if json { try printJSON(report) } else { print(report.rendered(), terminator: "") }
        if !report.ok { throw ExitCode(1) }
    }
}
