import _CryptoExtras
import Foundation
import FixtureServers
import KalshiKit

/// A fresh RSA key pair written as PEM files, the signer and the fixture's verifier for it.
struct IngestTestKeys {
    static let keyID = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c"
    let privateKeyPath: URL
    let publicKeyPath: URL
    let privatePEM: String
    let publicPEM: String

    init(in directory: URL) throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        privatePEM = key.pemRepresentation
        publicPEM = key.publicKey.pemRepresentation
        privateKeyPath = directory.appendingPathComponent("kalshi-private-key.pem")
        publicKeyPath = directory.appendingPathComponent("kalshi-public-key.pem")
        try Data(privatePEM.utf8).write(to: privateKeyPath)
        try Data(publicPEM.utf8).write(to: publicKeyPath)
    }

    func signer() throws -> KalshiRequestSigner {
        try KalshiRequestSigner(keyID: Self.keyID, source: .file(privateKeyPath.path))
    }

    func verifier() throws -> KalshiSignatureVerifier {
        try KalshiSignatureVerifier(keyID: Self.keyID, publicKeyPEM: publicPEM)
    }
}

/// Runs the Python signing helper (`Signing/kalshi_signature.py`).
enum PythonSignature {
    static let helper = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Signing/kalshi_signature.py")

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", helper.path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
