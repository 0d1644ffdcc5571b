import ArgumentParser
import Foundation
import Migration

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the migration's verification checklist (five checks, PASS/FAIL with evidence).",
        discussion: """
            1 services start without legacy files (config; --bin-dir runs each daemon's --check-config); \
            2 PostgreSQL price history continuous at 1 s over the window; \
            3 snapshot table vs JSON export counts per hour, up to the newest exported record (--snapshot-export DIR: \
            the archived export restored elsewhere; SKIP without an export); \
            4 historical ingest writes PostgreSQL only (and, with --cutover, no legacy file of it changed since); \
            5 no legacy .db/.json left in the runtime paths. Exit 1 on any FAIL.
            """
    )

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: "Continuity window start (default: --window before --to).")
    var from: String?

    @Option(name: .long, help: "Continuity window end, exclusive (default: now, to the second).")
    var to: String?

    @Option(name: .long, help: "Continuity window length when --from is not given.")
    var window = "24h"

    @Option(name: .long, help: "Cutover time: legacy ingest files modified after it fail check 4.")
    var cutover: String?

    @Option(name: .long, help: "Another folder to inspect for legacy files (repeatable).")
    var runtimePath: [String] = []

    @Option(name: .long, help: "Folder with the daemon executables, to run their --check-config.")
    var binDir: String?

    @Option(name: .long, help: ArgumentHelp(
        "Folder check 3 reads the JSON archive export from, instead of kalshi_api_watchdog's json_dir "
            + "(after archive: the archive restored with archive --restore MANIFEST --into DIR).", valueName: "dir"))
    var snapshotExport: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        guard let length = TimeArgument.duration(window) else { throw ValidationError("--window: expected e.g. 24h, got \"\(window)\"") }
        let config = try configOptions.load()
        let end = try parseTime(to, "--to") ?? Int64(Date().timeIntervalSince1970)
        let start = try parseTime(from, "--from") ?? end - length
        var options = MigrationVerifier.Options(config: config, continuityFrom: start, continuityTo: end,
                                                cutover: try parseTime(cutover, "--cutover"), runtimePaths: runtimePath, daemonBinDirectory: binDir)
        options.snapshotExportDirectory = snapshotExport
        let report = await MigrationVerifier(options: options, logger: logger).run()
        if json { try printJSON(report) } else { print(report.rendered(), terminator: "") }
        if !report.ok { throw ExitCode(1) }
    }
}
