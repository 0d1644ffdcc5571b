import Foundation
import Testing

/// The repository root, found from this file's location.
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs a program to completion and returns its exit status and combined output.
private func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = repositoryRoot.appendingPathComponent(program)
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

private func mode(_ url: URL) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

@Suite(.timeLimit(.minutes(2)))
struct DeployTests {
    static let binaries = ["btc-price-watchdog", "kalshi-api-watchdog", "kalshi-historical-ingest", "live-data-analysis", "recioctl"]

    @Test func installIntoAStagingRootIsIdempotentAndKeepsTheConfig() async throws {
        try await withTemporaryDirectory { directory in
            let files = FileManager.default
            let bin = directory.appendingPathComponent("bin")
            try files.createDirectory(at: bin, withIntermediateDirectories: true)
            for binary in Self.binaries {
                let url = bin.appendingPathComponent(binary)
                try Data("#!/bin/sh\necho \(binary)\n".utf8).write(to: url)
                try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
            }
            let config = directory.appendingPathComponent("services.json")
            try Data(#"{"services":{}}"#.utf8).write(to: config)
            let root = directory.appendingPathComponent("root")
            let arguments = ["--prefix", root.path, "--no-build", "--bin-dir", bin.path, "--config", config.path]

            let first = try run("deploy/install.sh", arguments)
            #expect(first.status == 0, "\(first.output)")
            let installedConfig = root.appendingPathComponent("etc/recio/services.json")
            #expect(try String(contentsOf: installedConfig, encoding: .utf8) == #"{"services":{}}"#)
            try Data(#"{"edited":true}"#.utf8).write(to: installedConfig)
            try Data("s3cret".utf8).write(to: root.appendingPathComponent("etc/recio/credentials/pgpassword"))

            let second = try run("deploy/install.sh", arguments)
            #expect(second.status == 0, "\(second.output)")
            #expect(second.output.contains("kept existing"))
            #expect(try String(contentsOf: installedConfig, encoding: .utf8) == #"{"edited":true}"#)
            #expect(try String(contentsOf: root.appendingPathComponent("etc/recio/credentials/pgpassword"), encoding: .utf8) == "s3cret")

            for binary in Self.binaries {
                let url = root.appendingPathComponent("usr/local/bin/\(binary)")
                #expect(try mode(url) == 0o755)
                #expect(try String(contentsOf: url, encoding: .utf8).contains(binary))
            }
            let units = try files.contentsOfDirectory(atPath: root.appendingPathComponent("etc/systemd/system").path).sorted()
            #expect(units == [
                "recio-btc-price-watchdog.service", "recio-kalshi-api-watchdog.service",
                "recio-kalshi-historical-ingest.service", "recio-live-data-analysis.service", "recio.target",
            ])
            #expect(try mode(root.appendingPathComponent("etc/recio/credentials")) == 0o700)
            #expect(try mode(root.appendingPathComponent("etc/recio/credentials/kalshi-private-key")) == 0o600)
            // No leftovers from the atomic replace.
            let leftovers = try files.contentsOfDirectory(atPath: root.appendingPathComponent("usr/local/bin").path).filter { $0.contains(".new.") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func installRefusesMissingBinaries() async throws {
        try await withTemporaryDirectory { directory in
            let result = try run("deploy/install.sh", ["--prefix", directory.appendingPathComponent("root").path, "--no-build", "--bin-dir", directory.path])
            #expect(result.status == 66)
            #expect(result.output.contains("btc-price-watchdog is missing"))
        }
    }

    /// Needs `systemd-analyze` (the systemd package), which CI installs.
    @Test func unitsVerifyAndScoreOK() throws {
        let result = try run("scripts/check-units", [])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.components(separatedBy: "OK").count - 1 == 4, "\(result.output)")
    }
}
