import ArgumentParser
import Foundation
import Migration
import ServiceKit

/// The arguments `cutover` and `rollback` share.
struct StageChangeArguments: ParsableArguments {
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var controlOptions: ServiceControlOptions

    @Argument(help: "The service (btc_price_watchdog, kalshi_api_watchdog, kalshi_historical_ingest, live_data_analysis).")
    var service: String

    @Flag(name: .long, help: "Print the edit; change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Edit services.json (and record the change) without reloading the service.")
    var noApply = false

    @Flag(name: .long, help: "Print the outcome as JSON.")
    var json = false

    func serviceName() throws -> ServiceName {
        let key = service.replacingOccurrences(of: "-", with: "_")
        guard let name = ServiceName(rawValue: key) else {
            throw ValidationError("unknown service \"\(service)\" (known: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return name
    }

    func options(_ direction: StageChangeOptions.Direction) throws -> StageChangeOptions {
        var options = StageChangeOptions(configPath: configOptions.path, service: try serviceName(), direction: direction)
        options.dryRun = dryRun
        options.noApply = noApply
        options.control = controlOptions.control
        options.healthTimeout = try controlOptions.timeout()
        options.now = try currentTime()
        if !dryRun {
            let (postgres, schema) = try configOptions.postgres()
            options.postgres = postgres
            options.schema = schema
        }
        return options
    }

    func run(_ options: StageChangeOptions) async throws {
        let changer = StageChanger(options: options, logger: logger) { line in
            if !json { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        }
        let outcome: StageChangeOutcome
        do {
            outcome = try await changer.run()
        } catch let error as StageError where [.parityFailed, .tooSoon, .unhealthy].contains(error.code) {
            FileHandle.standardError.write(Data("recioctl: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if json { try printJSON(outcome); return }
        if outcome.result == .dryRun { print(outcome.diff, terminator: "") }
        print("\(outcome.service): \(outcome.from.rawValue) → \(outcome.to.rawValue): \(outcome.result.rawValue)"
              + (outcome.appliedBy.map { " by \($0)" } ?? ""))
    }
}

struct Cutover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move a service one stage towards PostgreSQL (legacy → dual-legacy-primary → dual-postgres-primary → postgres).",
        discussion: """
            Leaving a dual stage needs a passing parity run over --parity-window (recorded) and --min-dual time at \
            the stage (from the stage history), unless --force --reason "..." (recorded). services.json is edited in \
            place (writers/primary/reader of the one entry), validated, backed up beside itself \
            (services.json.<UTC time>.bak) and replaced atomically, then applied with reload (restart if reload \
            fails); if the unit is not active and healthy on it within --health-timeout, the previous file is \
            restored and re-applied. Exit 1 when a gate refuses or the service did not come back healthy.
            """
    )

    @OptionGroup var arguments: StageChangeArguments

    @Option(name: .long, help: "The stage to move to (must be the next one).")
    var to: String?

    @Flag(name: .long, help: "Override the parity and minimum-time gates (needs --reason).")
    var force = false

    @Option(name: .long, help: "Why the gates are forced (recorded in the stage history).")
    var reason: String?

    @Option(name: .long, help: "Parity window (default 7 days, or all data when there is less).")
    var parityWindow = "7d"

    @Option(name: .long, help: "The parity window ends this long before now (rows still in flight to a shadow).")
    var paritySettle = "10s"

    @Option(name: .long, help: "Minimum time dual-writing before leaving a dual stage.")
    var minDual = "7d"

    func run() async throws {
        var options = try arguments.options(.cutover)
        if let to {
            guard let stage = MigrationStage(rawValue: to) else {
                throw ValidationError("--to: expected one of \(MigrationStage.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(to)\"")
            }
            options.target = stage
        }
        options.force = force
        options.reason = reason
        guard let window = TimeArgument.duration(parityWindow) else { throw ValidationError("--parity-window: expected e.g. 7d, got \"\(parityWindow)\"") }
        guard let settle = TimeArgument.duration(paritySettle) else { throw ValidationError("--parity-settle: expected e.g. 10s, got \"\(paritySettle)\"") }
        guard let minimum = TimeArgument.duration(minDual) else { throw ValidationError("--min-dual: expected e.g. 7d, got \"\(minDual)\"") }
        options.parityWindowSeconds = window
        options.paritySettleSeconds = settle
        options.minimumDualSeconds = minimum
        try await arguments.run(options)
    }
}

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move a service one stage back (re-enable the legacy write path); no gates.",
        discussion: "Edited, backed up, applied and checked like cutover; recorded in the stage history."
    )

    @OptionGroup var arguments: StageChangeArguments

    func run() async throws {
        try await arguments.run(try arguments.options(.rollback))
    }
}
