import Foundation
import Testing
@testable import StorageKit

@Suite struct PostgresConfigurationTests {
    @Test(arguments: [
        "host=db.internal user=recio password=hunter2 dbname=recio",
        "host=db password = 'hunter2 with \\' quote' user=x",
        "postgresql://recio:hunter2@db.internal:5432/recio?sslmode=require",
        "postgres://recio@db/recio?sslmode=require&password=hunter2",
    ])
    func descriptionRedactsPasswords(connectionString: String) {
        let configuration = PostgresConfiguration(connectionString: connectionString, password: "from-credentials-file")
        let text = configuration.description + " " + "\(configuration)" + configuration.redactedConnectionString
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("from-credentials-file"))
        #expect(text.contains("***"))
        #expect(text.contains("db"))
    }

    @Test func passwordTravelsAsItsOwnKeyword() {
        let configuration = PostgresConfiguration(connectionString: "host=a,b target_session_attrs=read-write", password: "p w'\\x")
        let pairs = configuration.libpqParameters
        #expect(pairs.first { $0.0 == "dbname" }?.1 == "host=a,b target_session_attrs=read-write")
        #expect(pairs.last?.0 == "password")
        #expect(pairs.last?.1 == "p w'\\x")
        #expect(pairs.allSatisfy { $0.0 == "password" || !$0.1.contains("p w'") })
    }

    @Test func passwordFileDropsTrailingNewline() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("recio-pw-\(UUID().uuidString)")
        try Data("s3cret\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try PostgresConfiguration.password(fromFile: url.path) == "s3cret")
        #expect(throws: PostgresError.self) { try PostgresConfiguration.password(fromFile: url.path + ".missing") }
    }

    @Test func connectionFailureNeverShowsThePassword() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recio-nosrv-\(UUID().uuidString.prefix(8))")
        let configuration = PostgresConfiguration(
            connectionString: "host=\(directory.path) port=1 user=nobody password=hunter2",
            password: "from-file-secret",
            reconnect: .init(initialDelay: .milliseconds(1), maxDelay: .milliseconds(2), budget: .milliseconds(5))
        )
        let connection = PostgresConnection(configuration: configuration, logger: TestPostgres.logger)
        let error = await #expect(throws: PostgresError.self) { try await connection.connect() }
        #expect(error?.code == .connectionFailed)
        #expect(error?.isConnectionLoss == true)
        #expect(error.map { !$0.description.contains("hunter2") && !$0.description.contains("from-file-secret") } == true)
        // A malformed conninfo that quotes the password back must be redacted too.
        let malformed = PostgresConnection(
            configuration: PostgresConfiguration(connectionString: "host=x password=hunter2 bogus", password: nil),
            logger: TestPostgres.logger
        )
        let parse = await #expect(throws: PostgresError.self) { try await malformed.connect() }
        #expect(parse.map { !$0.description.contains("hunter2") } == true)
    }

    /// libpq's real refusal of an unknown database and an unknown role (no SQLSTATE at connect
    /// time) reads as a refused login, which is not retried: no reconnect budget can mend it.
    @Test func aRefusedLoginIsNotTransient() async throws {
        let base = try TestPostgres.configuration()
        for extra in ["dbname=recio_no_such_database", "user=recio_no_such_role"] {
            var configuration = base
            configuration.connectionString = (base.connectionString.isEmpty ? "" : base.connectionString + " ") + extra
            let connection = PostgresConnection(configuration: configuration, logger: TestPostgres.logger)
            let error = await #expect(throws: PostgresError.self) { try await connection.connect() }
            #expect(error?.isAuthenticationFailure == true, "\(String(describing: error))")
            #expect(error?.isTransient == false)
        }
        #expect(PostgresError(.queryFailed, message: "", sqlState: "28P01").isAuthenticationFailure)
        #expect(!PostgresError(.queryFailed, message: "", sqlState: "28P01").isTransient)
        #expect(!PostgresError(.connectionFailed, message: "could not connect to server: No such file or directory").isAuthenticationFailure)
    }

    @Test func errorClassification() {
        #expect(PostgresError(.queryFailed, message: "", sqlState: "08006").isConnectionLoss)
        #expect(PostgresError(.queryFailed, message: "", sqlState: "57P01").isTransient)
        #expect(PostgresError(.queryFailed, message: "", sqlState: "40001").isTransient)
        #expect(!PostgresError(.queryFailed, message: "", sqlState: "40001").isConnectionLoss)
        #expect(PostgresError(.queryFailed, message: "", sqlState: "40P01").isTransient)
        #expect(!PostgresError(.queryFailed, message: "", sqlState: "23505").isTransient)
        #expect(PostgresError(.queryFailed, message: "", connectionBad: true).isConnectionLoss)
        let long = PostgresError(.queryFailed, message: "m", sqlState: "42P01", detail: "d", hint: "h",
                                 statement: String(repeating: "SELECT 1;\n", count: 100))
        #expect(long.description.contains("[SQLSTATE 42P01]: m — detail: d — hint: h — statement: SELECT 1;"))
        #expect(long.description.count < 600)
    }

    @Test(arguments: ["User", "1abc", "a-b", "x; drop", "", String(repeating: "a", count: 64), "ünï"])
    func identifiersMustBePlain(name: String) {
        #expect(throws: PostgresError.self) { try PostgresIdentifier(name) }
    }

    @Test func plainIdentifiersAreQuoted() throws {
        #expect(try PostgresIdentifier("user_0001").quoted == "\"user_0001\"")
        #expect(try PostgresIdentifier("_" + String(repeating: "a", count: 62)).name.count == 63)
        #expect(PostgresIdentifier.defaultSchema.name == "user_0001")
    }

    @Test func copyEncoderEscapes() throws {
        var encoder = PostgresCopyEncoder(capacity: 64)
        try encoder.append(["a\\b\tc\nd\re", nil, "", "\\N"])
        #expect(String(decoding: encoder.bytes, as: UTF8.self) == "a\\\\b\\tc\\nd\\re\t\\N\t\t\\\\N\n")
        #expect(throws: PostgresError.self) { try encoder.append(["nul\u{0}"]) }
    }
}
