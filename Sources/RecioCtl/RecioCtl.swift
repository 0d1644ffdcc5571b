import ArgumentParser
import Foundation
import Logging
import Migration
import ServiceKit
import StorageKit

/// `recioctl`: the operator's migration tool. Thin: argument parsing and output only; the work is
/// in the `Migration` library. Exit status: 0 success, 1 a check failed, 2 usage or runtime error.
@main
struct RecioCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recioctl",
        abstract: "Migrate the REC.IO legacy SQLite/JSON stores to PostgreSQL and prove it.",
        discussion: "Exit status: 0 success, 1 a check failed (parity mismatch, verify FAIL), 2 usage or runtime error.",
        version: ServiceCommandLine.version,
        subcommands: [Backfill.self, Parity.self, Verify.self, Status.self, Cutover.self, Rollback.self, Restart.self,
                      Retention.self, Backup.self, Archive.self, Schema.self, User.self]
    )

    /// Runs the command with the exit statuses above (ArgumentParser's default for usage errors is 64).
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["RECIO_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            FileHandle.standardError.write(Data("recioctl: \(fullMessage(for: error))\n".utf8))
            Foundation.exit(2)
        }
    }
}

/// `--config PATH`, default `$RECIO_CONFIG`, else `/etc/recio/services.json`.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Path of services.json (default: $RECIO_CONFIG, else /etc/recio/services.json).")
    var config: String?

    var path: String { config ?? ProcessInfo.processInfo.environment["RECIO_CONFIG"] ?? "/etc/recio/services.json" }

    func load() throws -> ServicesConfig { try ServicesConfig.load(path: path) }

    /// The PostgreSQL connection and schema the config names.
    func postgres(overridingConninfo conninfo: String? = nil) throws -> (PostgresConfiguration, PostgresIdentifier) {
        let config = try load()
        let settings = config.postgres
        if let conninfo, conninfo.range(of: "password", options: .caseInsensitive) != nil {
            throw ValidationError("--conninfo must not contain a password (it would be visible in the process list); use PGPASSWORD or .pgpass")
        }
        let configuration = PostgresConfiguration(
            connectionString: conninfo ?? settings.conninfo, password: conninfo == nil ? try settings.resolvePassword() : nil,
            applicationName: "recioctl", connectTimeout: .seconds(settings.connectTimeoutSeconds))
        return (configuration, try PostgresIdentifier(settings.schema))
    }
}

let logger = Logger(label: "recio.recioctl")

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func parseTime(_ text: String?, _ name: String) throws -> Int64? {
    guard let text else { return nil }
    guard let value = TimeArgument.parse(text) else {
        throw ValidationError("\(name): expected epoch seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got \"\(text)\"")
    }
    return value
}
