import FixtureServers
import Foundation
import Logging

// recio-replay-server DATA_DIR [PORT] [--kalshi-public-key PEM_FILE [--kalshi-key-id ID]]
// Serves the bundled replay dataset on 127.0.0.1 until killed. With --kalshi-public-key it also
// serves Kalshi's account and market history (a deterministic dataset) for kalshi-historical-ingest,
// verifying every signed request against that public key (401 otherwise, as Kalshi answers).
let usage = "usage: recio-replay-server DATA_DIR [PORT] [--kalshi-public-key PEM_FILE [--kalshi-key-id ID]]\n"

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("recio-replay-server: \(message)\n".utf8))
    exit(status)
}

var positional: [String] = []
var publicKeyFile: String?
var keyID = "replay-key"
var rest = CommandLine.arguments.dropFirst()
while let argument = rest.popFirst() {
    switch argument {
    case "--kalshi-public-key":
        guard let value = rest.popFirst() else { fail("--kalshi-public-key needs a PEM file\n\(usage)", status: 64) }
        publicKeyFile = value
    case "--kalshi-key-id":
        guard let value = rest.popFirst(), !value.isEmpty else { fail("--kalshi-key-id needs a key id\n\(usage)", status: 64) }
        keyID = value
    case "-h", "--help":
        FileHandle.standardOutput.write(Data(usage.utf8))
        exit(0)
    default:
        if argument.hasPrefix("-") { fail("unknown option \(argument)\n\(usage)", status: 64) }
        positional.append(argument)
    }
}
guard (1...2).contains(positional.count) else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(64)
}
var port = 0
if positional.count == 2 {
    guard let value = Int(positional[1]), (0...65535).contains(value) else { fail("PORT must be 0...65535, found \"\(positional[1])\"", status: 64) }
    port = value
}

let logger = Logger(label: "recio.replay")
do {
    let dataset = try ReplayDataset(directory: positional[0])
    var history: KalshiHistoryFixture?
    if let publicKeyFile {
        let pem: String
        do {
            pem = try String(contentsOfFile: publicKeyFile, encoding: .utf8)
        } catch {
            fail("cannot read the Kalshi public key \(publicKeyFile): \(error.localizedDescription)", status: 66)
        }
        let verifier = try KalshiSignatureVerifier(keyID: keyID, publicKeyPEM: pem)
        history = KalshiHistoryFixture(dataset: ReplayServer.historyDataset, verifier: verifier)
    }
    let replay = try await ReplayServer.start(dataset: dataset, port: port, history: history, logger: logger)
    let extra = history.map { "; Kalshi history: \($0.dataset.markets) markets, \($0.dataset.fills) fills, signatures checked for key \(keyID)" } ?? ""
    FileHandle.standardOutput.write(Data("replay server listening on 127.0.0.1:\(replay.port) (\(dataset.prices.count) prices\(extra))\n".utf8))
    await replay.run()
} catch {
    fail("\(error)", status: 1)
}
