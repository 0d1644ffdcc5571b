import _CryptoExtras
import FixtureServers
import Foundation
import Testing
@testable import KalshiKit

/// Kalshi request signing, checked against the fixture's verifier and against an independent
/// implementation (Python `cryptography`), both ways.
@Suite(.timeLimit(.minutes(2)))
struct SigningTests {
    static let path = "/trade-api/v2/portfolio/fills"

    @Test func swiftSignatureVerifiesInSwiftAndPython() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let signer = try keys.signer()
            let headers = try await signer.headers(method: "GET", path: Self.path, at: Date(timeIntervalSince1970: 1_754_683_200.123))
            let byName = Dictionary(uniqueKeysWithValues: headers.map { ($0.name.lowercased(), $0.value) })
            #expect(byName["kalshi-access-key"] == IngestTestKeys.keyID)
            #expect(byName["kalshi-access-timestamp"] == "1754683200123")
            let signature = try #require(byName["kalshi-access-signature"])
            #expect(try keys.verifier().problem(method: "GET", path: Self.path, headers: byName) == nil)
            // Public endpoints are not signed.
            #expect(try await signer.headers(method: "GET", path: "/trade-api/v2/markets/trades", at: Date()).isEmpty)
            // Another path, method or timestamp does not verify.
            #expect(try keys.verifier().problem(method: "GET", path: Self.path + "x", headers: byName) == "signature does not verify")
            var other = byName
            other["kalshi-access-timestamp"] = "1754683200124"
            #expect(try keys.verifier().problem(method: "GET", path: Self.path, headers: other) == "signature does not verify")

            let python = try PythonSignature.run(["verify", keys.publicKeyPath.path, "1754683200123", "GET", Self.path, signature])
            #expect(!python.output.contains("MISSING PACKAGE"), "\(python.output)")
            #expect(python.status == 0 && python.output == "OK", "\(python.output)")
            let tampered = try PythonSignature.run(["verify", keys.publicKeyPath.path, "1754683200123", "POST", Self.path, signature])
            #expect(tampered.status == 1 && tampered.output == "BAD", "\(tampered.output)")
        }
    }

    @Test func pythonSignatureVerifiesInSwift() async throws {
        try await withTemporaryDirectory { dir in
            let keys = try IngestTestKeys(in: dir)
            let python = try PythonSignature.run(["sign", keys.privateKeyPath.path, "1754683200999", "GET", Self.path])
            #expect(python.status == 0, "\(python.output)")
            let headers = ["kalshi-access-key": IngestTestKeys.keyID, "kalshi-access-timestamp": "1754683200999",
                           "kalshi-access-signature": python.output]
            #expect(try keys.verifier().problem(method: "GET", path: Self.path, headers: headers) == nil)
            // PSS is randomised: the two implementations never produce the same bytes, yet both verify.
            let swift = try keys.signer().signature(timestampMilliseconds: 1_754_683_200_999, method: "GET", path: Self.path)
            #expect(swift != python.output)
        }
    }

    @Test func unreadableOrInvalidKeysAreClearErrorsWithoutKeyMaterial() async throws {
        try await withTemporaryDirectory { dir in
            let missing = dir.appendingPathComponent("nope.pem").path
            let error1 = try #require(throws: KalshiSigningError.self) { try KalshiRequestSigner(keyID: "k", source: .file(missing)) }
            #expect(error1.code == .unreadable)
            #expect(error1.description.contains(missing))

            let garbage = dir.appendingPathComponent("garbage.pem")
            try Data("-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n-----END PRIVATE KEY-----\n".utf8).write(to: garbage)
            let error2 = try #require(throws: KalshiSigningError.self) { try KalshiRequestSigner(keyID: "k", source: .file(garbage.path)) }
            #expect(error2.code == .invalidKey)
            #expect(!error2.description.contains("c2VjcmV0"))

            let error3 = try #require(throws: KalshiSigningError.self) {
                try KalshiRequestSigner(keyID: "k", source: .credential("kalshi-private-key"), environment: [:])
            }
            #expect(error3.code == .unreadable)
            #expect(error3.description.contains("CREDENTIALS_DIRECTORY"))

            let keys = try IngestTestKeys(in: dir)
            let fromCredential = try KalshiRequestSigner(keyID: "k", source: .credential("kalshi-private-key.pem"),
                                                         environment: ["CREDENTIALS_DIRECTORY": dir.path])
            #expect(!fromCredential.description.contains("PRIVATE"))
            #expect(!"\(fromCredential)".contains(keys.privatePEM.dropFirst(40).prefix(20)))
        }
    }
}
