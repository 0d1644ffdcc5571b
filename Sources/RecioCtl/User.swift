import ArgumentParser
import Foundation
import Migration
import StorageKit

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage per-user PostgreSQL namespaces.",
        subcommands: [UserCreate.self]
    )
}

struct UserCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Print (or with --apply run) the least-privilege SQL for a user: a LOGIN NOINHERIT role owning only its schema.",
        discussion: """
            The role gets no password: set one with psql's \\password (only a SCRAM verifier is sent) or use \
            peer authentication. --apply needs a role allowed to create roles (the database owner or a superuser).
            """
    )

    @Argument(help: "The user schema, e.g. user_0002.")
    var name: String

    @Option(name: .long, help: "The login role (default: recio_NAME).")
    var role: String?

    @Option(name: .long, help: "The database (default: the connected one with --apply, else $PGDATABASE, else recio).")
    var database: String?

    @Option(name: .long, help: "A libpq conninfo for --apply (default: libpq's PG* variables).")
    var conninfo = ""

    @Flag(name: .long, help: "Run the statements in one transaction instead of printing them.")
    var apply = false

    func run() async throws {
        let schema = try PostgresIdentifier(name)
        let roleName = try role.map(PostgresIdentifier.init)
        guard apply else {
            let db = try PostgresIdentifier(database ?? ProcessInfo.processInfo.environment["PGDATABASE"] ?? "recio")
            print(try UserProvisioning(schema: schema, role: roleName, database: db).script, terminator: "")
            return
        }
        if conninfo.range(of: "password", options: .caseInsensitive) != nil {
            throw ValidationError("--conninfo must not contain a password (it would be visible in the process list); use PGPASSWORD or .pgpass")
        }
        let connection = PostgresConnection(
            configuration: PostgresConfiguration(connectionString: conninfo, applicationName: "recioctl"), logger: logger)
        let provisioning: UserProvisioning
        do {
            let current = try await connection.query("SELECT current_database()").scalar ?? ""
            provisioning = try UserProvisioning(schema: schema, role: roleName, database: try PostgresIdentifier(database ?? current))
            try await provisioning.apply(on: connection)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        let db = provisioning.database
        print("created role \(provisioning.role.name) owning schema \(schema.name) in database \(db.name)")
    }
}
