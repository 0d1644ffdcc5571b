import ArgumentParser
import Foundation
import Migration

struct Archive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Archive legacy files no service writes any more, or restore a backup/archive.",
        discussion: """
            Each PATH (a file, or a folder: its .db/.json/.jsonl/heartbeat files) must not be written or \
            read by any service of the config, and no process may hold it or its -wal/-shm/-journal \
            open (checked in /proc). Then it is copied, integrity-checked, compressed with zstd, hashed, \
            verified by decompressing it again, listed in DEST/archive-<time>/manifest.json, and only \
            then removed. If any check fails nothing is archived or removed and the reasons are listed \
            (exit 1). --restore MANIFEST puts the files of an archive or backup back (refusing to \
            overwrite a different file unless --force).
            """
    )

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: "Folder the bundles are written under.")
    var dest = "/var/lib/recio/archive"

    @Flag(name: .long, help: "Only list what would happen.")
    var dryRun = false

    @Option(name: .long, help: "Restore the files of this manifest (of an archive or a backup).")
    var restore: String?

    @Flag(name: .long, help: "With --restore: replace existing files that differ (and stale SQLite -wal/-journal files).")
    var force = false

    @Option(name: .long, help: "With --restore: put the files into this folder instead of their original paths.")
    var into: String?

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @Argument(help: "Legacy files or folders to archive.")
    var paths: [String] = []

    func validate() throws {
        if restore != nil, !paths.isEmpty { throw ValidationError("--restore takes a manifest, not PATHs") }
        if restore == nil, paths.isEmpty { throw ValidationError("give the legacy files or folders to archive, or --restore MANIFEST") }
        if restore == nil, force || into != nil { throw ValidationError("--force and --into go with --restore") }
    }

    func run() async throws {
        let progress = progressReporter(quiet: quiet)
        if let manifest = restore {
            let rows = try await BundleRestorer(options: .init(manifest: manifest, force: force, targetDirectory: into)).run(progress: progress)
            print(BundleReport.restore(rows), terminator: "")
            return
        }
        let archiver = LegacyArchiver(options: .init(config: try configOptions.load(), paths: paths, destination: dest, dryRun: dryRun))
        let report = try await archiver.run(progress: progress)
        print(BundleReport.plan(report.plan), terminator: "")
        switch report.outcome {
        case .dryRun:
            print("dry run: nothing archived or removed; bundles would go under \(dest)")
        case .refused:
            print("archive refused: nothing archived or removed (fix the REFUSED checks above)")
            throw ExitCode(1)
        case .archived:
            print("\narchived: \(report.manifestPath ?? "")")
            if let manifest = report.manifest { print(BundleReport.entries(manifest), terminator: "") }
            print("removed from the runtime path: \(report.removed.count) file(s)")
        }
    }
}
