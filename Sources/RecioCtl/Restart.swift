import ArgumentParser
import Foundation
import Migration
import ServiceKit

struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restart units one at a time, each active and healthy before the next (--rolling); stops at the first failure.",
        discussion: "Exit 1 when a unit did not come back healthy (the units after it are left alone)."
    )

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var controlOptions: ServiceControlOptions

    @Flag(name: .long, help: "One unit at a time (required: recioctl never restarts everything at once).")
    var rolling = false

    @Argument(help: "Services to restart, in order (default: all four).")
    var services: [String] = []

    @Flag(name: .long, help: "Print the steps as JSON.")
    var json = false

    func validate() throws {
        guard rolling else { throw ValidationError("only rolling restarts are supported: pass --rolling") }
    }

    func run() async throws {
        let config = try configOptions.load()
        var names: [ServiceName] = []
        for service in services {
            guard let name = ServiceName(rawValue: service.replacingOccurrences(of: "-", with: "_")) else {
                throw ValidationError("unknown service \"\(service)\" (known: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            names.append(name)
        }
        let restart = RollingRestart(control: controlOptions.control, config: config, timeout: try controlOptions.timeout())
        let steps = await restart.run(names.isEmpty ? ServiceName.allCases : names) { line in
            if !json { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        }
        if json {
            try printJSON(steps)
        } else {
            var table = TextTable(["SERVICE", "RESULT", "SECONDS", "DETAIL"])
            for s in steps { table.append([s.service, s.ok ? "healthy" : "FAILED", String(format: "%.1f", s.seconds), s.detail]) }
            print(table.rendered(), terminator: "")
        }
        if steps.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }
}
