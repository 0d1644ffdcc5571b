import FixtureServers
import Foundation
import Logging

// recio-replay-server DATA_DIR [PORT]: serves the bundled replay dataset on 127.0.0.1 until killed.
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: recio-replay-server DATA_DIR [PORT]\n".utf8))
    exit(64)
}
let logger = Logger(label: "recio.replay")
do {
    let dataset = try ReplayDataset(directory: arguments[1])
    let replay = try await ReplayServer.start(dataset: dataset, port: arguments.count > 2 ? Int(arguments[2]) ?? 0 : 0, logger: logger)
    FileHandle.standardOutput.write(Data("replay server listening on 127.0.0.1:\(replay.port) (\(dataset.prices.count) prices)\n".utf8))
    await replay.run()
} catch {
    FileHandle.standardError.write(Data("recio-replay-server: \(error)\n".utf8))
    exit(1)
}
