import Foundation
import Logging
import ServiceKit
import StorageKit

/// `recioctl cutover` and `rollback`: moves one service one stage, by editing its `services.json`
/// entry and applying it.
///
/// 1. The stage is read from the entry; the step must be to the next (cutover) or previous
///    (rollback) stage the entry can express.
/// 2. Gates, when a cutover leaves a dual stage: the service has been at that stage for the minimum
///    time (from the stage history), and parity over the window passes (recorded). `--force` with a
///    reason overrides both; the reason is recorded. A rollback has no gates: it must always work.
/// 3. The file is edited in place (only `writers`/`primary`/`reader` of that entry), validated by
///    the strict loader, backed up beside itself with a timestamp and replaced atomically.
/// 4. Applied with `reload` (falling back to `restart` when reload fails); the unit must then report
///    active and a healthy `STATUS=` that names the new writers/reader within the timeout, or the
///    previous file is put back and re-applied, and the command fails.
/// 5. The change is recorded in `stage_changes`.
public struct StageChanger: Sendable {
    public let options: StageChangeOptions
    private let logger: Logger
    private let report: @Sendable (String) -> Void

    /// `report` receives progress lines for the operator.
    public init(options: StageChangeOptions, logger: Logger, report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.logger = logger
        self.report = report
    }

    public func run() async throws -> StageChangeOutcome {
        let service = options.service
        let config = try ServicesConfig.load(path: options.configPath)
        let entry = config.service(service)
        let current = try MigrationStage(entry: entry)
        let stages = StageLayout.stages(of: entry)
        let index = stages.firstIndex(of: current)
        let step: MigrationStage?
        switch options.direction {
        case .cutover: step = index.flatMap { $0 + 1 < stages.count ? stages[$0 + 1] : nil }
        case .rollback: step = index.flatMap { $0 > 0 ? stages[$0 - 1] : nil }
        }
        guard let target = step else {
            throw StageError(.invalidStep, service: service,
                "at \(current.rawValue), there is no stage to \(options.direction == .cutover ? "cut over" : "roll back") to "
                    + "(stages this entry can express: \(stages.map(\.rawValue).joined(separator: " → ")))")
        }
        if let asked = options.target, asked != target {
            throw StageError(.invalidStep, service: service,
                "at \(current.rawValue), cutover moves one stage at a time: the next stage is \(target.rawValue), not \(asked.rawValue)")
        }
        if options.force, (options.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw StageError(.missingReason, service: service, "--force needs --reason \"...\" (it is recorded with the change)")
        }
        let layout = StageLayout(entry: entry, stage: target)!
        let original: Data
        do {
            original = try Data(contentsOf: URL(fileURLWithPath: options.configPath))
        } catch {
            throw StageError(.invalidConfig, service: service, "\(options.configPath): cannot read: \(error)")
        }
        let edit = try ServicesFileEdit(path: options.configPath, original: original, service: service, layout: layout)
        guard try MigrationStage(entry: edit.config.service(service)) == target else {
            throw StageError(.invalidConfig, service: service, "the edited entry does not read as \(target.rawValue); edit it by hand")
        }
        var outcome = StageChangeOutcome(service: service.rawValue, from: current, to: target, result: .dryRun,
                                         diff: edit.diff, backup: nil, gates: [], appliedBy: nil, status: nil)
        report("\(service.rawValue): \(current.rawValue) → \(target.rawValue) (\(layout))")
        if options.dryRun {
            outcome.gates = gatesNeeded(current: current, target: target) ? ["gates not evaluated (--dry-run)"] : ["no gates for this step"]
            return outcome
        }

        guard let postgres = options.postgres else {
            throw StageError(.control, service: service, "no PostgreSQL configuration: the stage history lives there")
        }
        let connection = PostgresConnection(configuration: postgres, logger: logger)
        do {
            let result = try await change(entry: entry, current: current, target: target, layout: layout, edit: edit, outcome: outcome,
                                          history: StageHistory(connection: connection, schema: options.schema))
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// The gated part: gates, edit, apply, record.
    private func change(entry: ServiceConfig, current: MigrationStage, target: MigrationStage, layout: StageLayout,
                        edit: ServicesFileEdit, outcome: StageChangeOutcome, history: StageHistory) async throws -> StageChangeOutcome {
        let service = options.service
        var outcome = outcome
        try await history.prepare(logger: logger)

        var parityLine = "not required for \(current.rawValue) → \(target.rawValue)"
        if gatesNeeded(current: current, target: target) {
            var failures: [String] = []
            let now = Int64(options.now.timeIntervalSince1970.rounded(.down))
            // Minimum time dual-writing.
            if let entered = try await history.enteredAt(service, stage: current) {
                let elapsed = now - entered
                let line = "at \(current.rawValue) for \(Self.duration(elapsed)) since \(TimeArgument.format(entered)) (minimum \(Self.duration(options.minimumDualSeconds)))"
                if elapsed < options.minimumDualSeconds { failures.append("too soon: " + line) }
                outcome.gates.append((elapsed < options.minimumDualSeconds ? "FAIL " : "pass ") + line)
            } else {
                let line = "no recorded change into \(current.rawValue): the dual-write time cannot be shown"
                failures.append(line)
                outcome.gates.append("FAIL " + line)
            }
            // Parity.
            do {
                if let result = try await StageParity(options: options, entry: entry, logger: logger).run() {
                    try await history.record(result)
                    parityLine = result.line
                    if !result.ok { failures.append("parity failed: \(result.summary)") }
                } else {
                    parityLine = "no parity check exists for \(service.rawValue)'s datasets"
                    failures.append(parityLine)
                }
            } catch {
                parityLine = "parity could not run: \(error)"
                failures.append(parityLine)
            }
            outcome.gates.append(parityLine)
            if !failures.isEmpty {
                if options.force {
                    report("gates overridden by --force (\(options.reason!)): \(failures.joined(separator: "; "))")
                    logger.warning("stage gates forced", metadata: ["service": "\(service.rawValue)", "reason": "\(options.reason!)",
                                                                     "failures": "\(failures.joined(separator: "; "))"])
                } else {
                    let code: StageError.Code = failures.allSatisfy({ $0.hasPrefix("too soon") }) ? .tooSoon : .parityFailed
                    throw StageError(code, service: service,
                        "refusing to leave \(current.rawValue): \(failures.joined(separator: "; ")). "
                            + "Wait, fix the difference (recioctl parity), or pass --force --reason \"...\" (recorded)")
                }
            }
        }
        for line in outcome.gates { report("  gate: \(line)") }

        let backup = try edit.write(now: Date())
        outcome.backup = backup
        report("wrote \(options.configPath) (previous file kept as \(backup))")

        if options.noApply {
            outcome.result = .edited
            report("not applied (--no-apply): reload \(service.unitName) to apply")
        } else {
            do {
                let (by, state) = try await apply(service, layout: layout)
                outcome.appliedBy = by
                outcome.status = state.statusText
                outcome.result = .applied
            } catch {
                report("\(service.unitName) did not come back healthy on the new file: \(error); restoring the previous file")
                try edit.restore()
                let previous = StageLayout(entry)
                do {
                    let (_, state) = try await apply(service, layout: previous)
                    report("\(service.unitName) is back on the previous file: \(state.statusText)")
                } catch {
                    report("\(service.unitName) is not healthy on the previous file either: \(error)")
                }
                throw StageError(.unhealthy, service: service,
                    "the service did not come back healthy at \(target.rawValue) (\(error)); the previous services.json was restored "
                        + "(the edited one was not kept; the backup \(backup) is the previous file)")
            }
        }
        let forced = options.force ? options.reason : nil
        do {
            try await history.record(StageChange(service: service, from: current, to: target,
                                                  changedAt: Int64(options.now.timeIntervalSince1970.rounded(.down)),
                                                  changedBy: options.changedBy, parity: parityLine, forcedReason: forced, configBackup: backup))
        } catch {
            throw StageError(.control, service: service,
                "the change to \(target.rawValue) is in place but could not be recorded in \(options.schema.name).stage_changes: \(error)")
        }
        return outcome
    }

    /// Gates apply when a cutover leaves a dual stage.
    private func gatesNeeded(current: MigrationStage, target: MigrationStage) -> Bool {
        options.direction == .cutover && current.isDual && target > current
    }

    /// Reload (restart when reload fails), then wait until healthy on `layout`.
    func apply(_ service: ServiceName, layout: StageLayout) async throws -> (String, UnitState) {
        var by = "reload"
        do {
            try await options.control.reload(service)
        } catch {
            report("reload failed (\(error)); restarting \(service.unitName)")
            by = "restart"
            try await options.control.restart(service)
        }
        let state = try await HealthWait(control: options.control, timeout: options.healthTimeout, pollInterval: options.pollInterval)
            .wait(for: service, layout: layout, report: report)
        report("\(service.unitName) healthy after \(by): \(state.statusText)")
        return (by, state)
    }

    /// `3d 4h`, `2h 5m`, `42s`.
    static func duration(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        if s >= 86_400 { return "\(s / 86_400)d \(s % 86_400 / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h \(s % 3600 / 60)m" }
        if s >= 60 { return "\(s / 60)m \(s % 60)s" }
        return "\(s)s"
    }
}
