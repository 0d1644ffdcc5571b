import ArgumentParser
import Foundation
import Migration

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back up every legacy SQLite/JSON store before the migration (nothing is removed).",
        discussion: """
            Takes every legacy SQLite file and JSON folder the config names, plus any PATH given, while \
            the daemons keep writing: SQLite through VACUUM INTO (a consistent snapshot in one read \
            transaction), JSON files by a stable read. Each copy is integrity-checked, compressed with \
            zstd, hashed (SHA-256) and verified by decompressing it again; the bundle folder \
            DEST/backup-<time>/ holds manifest.json and the .zst files. `recioctl archive --restore \
            MANIFEST` puts the files back. Exit 2 on any failure (no bundle is left behind).
            """
    )

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: "Folder the bundles are written under.")
    var dest = "/var/lib/recio/backups"

    @Flag(name: .long, help: "List the bundles in --dest instead of backing up.")
    var list = false

    @Flag(name: .long, help: "Do not read the config: back up only the PATHs given.")
    var noConfig = false

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @Argument(help: "More files or folders to back up.")
    var paths: [String] = []

    func run() async throws {
        if list {
            let bundles = try BundleFolder.list(destination: dest)
            if json { try printJSON(bundles) } else { print(BundleReport.list(bundles), terminator: "") }
            return
        }
        let config = noConfig ? nil : try configOptions.load()
        let backup = LegacyBackup(options: .init(config: config, extraPaths: paths, destination: dest))
        let result = try await backup.run(progress: progressReporter(quiet: quiet))
        if json {
            try printJSON(result.manifest)
        } else {
            print("backup written: \(result.manifestPath)")
            for path in result.missing { print("skipped (does not exist): \(path)") }
            print(BundleReport.entries(result.manifest), terminator: "")
        }
    }
}

/// Progress on stderr, one line per step (nothing when `quiet`).
func progressReporter(quiet: Bool) -> @Sendable (String) -> Void {
    if quiet { return { _ in } }
    return { text in FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
