import Foundation
import Migration
import StorageKit
import Testing

/// User data isolation: each user's daemons connect as a role that owns only its schema. Two
/// users are provisioned (one through the library, one through `recioctl user create --apply`),
/// each migrates and writes its own schema as itself, and neither can read, write or create in the
/// other's schema or in `public` (SQLSTATE 42501).
@Suite(.timeLimit(.minutes(2))) struct UserIsolationTests {
    /// A fresh pair of names (roles are cluster-wide: random suffixes keep parallel runs apart).
    struct TestUser {
        let schema: PostgresIdentifier
        let role: PostgresIdentifier
        init() throws {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            schema = try PostgresIdentifier("user_t\(suffix)")
            role = try PostgresIdentifier("recio_test_\(suffix)")
        }
        func connection() -> PostgresConnection {
            PostgresConnection(configuration: PostgresConfiguration(connectionString: "user=\(role.name)", applicationName: "recio-tests",
                                                                    reconnect: TestPostgres.reconnect),
                               logger: TestPostgres.logger)
        }
    }

    @Test func twoUsersCannotReachEachOthersTables() async throws {
        let admin = try TestPostgres.connection()
        let first = try TestUser(), second = try TestUser()
        do {
            let database = try PostgresIdentifier(try await admin.query("SELECT current_database()").scalar ?? "")
            try await UserProvisioning(schema: first.schema, role: first.role, database: database).apply(on: admin)
            let cli = try RecioCtlProcess.run(["user", "create", second.schema.name, "--role", second.role.name, "--apply"])
            #expect(cli.status == 0, "\(cli.output)")

            let attributes = try await admin.query(
                "SELECT rolsuper, rolinherit, rolcreatedb, rolcreaterole, rolcanlogin, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1",
                [second.role.name])
            #expect(attributes.rows.first == ["f", "f", "f", "f", "t", "f", "f"])

            // Each user migrates and writes its own schema as itself (as its daemons do).
            for user in [first, second] {
                let own = user.connection()
                try await SchemaMigrator(schema: user.schema, logger: quietLogger()).migrate(on: own)
                let writer = try PostgresWriter<PriceTick>(connection: own, schema: user.schema, logger: quietLogger())
                try await writer.write([PriceTick(second: 1_780_000_000, price: USDCents(cents: 6_543_210), source: .coinbaseWebSocket)])
                #expect(try await own.query("SELECT count(*) FROM \(user.schema.quoted).price_history").scalar == "1")
                try await writer.close()
            }

            let intruder = second.connection()
            let victim = "\(first.schema.quoted).price_history"
            let attempts = [
                "SELECT * FROM \(victim)",
                "INSERT INTO \(victim) (ts, price, source) VALUES (now(), 1, 'x')",
                "UPDATE \(victim) SET price = 1",
                "DELETE FROM \(victim)",
                "CREATE TABLE \(first.schema.quoted).planted (id integer)",
                "CREATE TABLE public.planted (id integer)",
                "CREATE SCHEMA planted",
                "SELECT * FROM \(first.schema.quoted).schema_migrations",
            ]
            for sql in attempts {
                do {
                    try await intruder.execute(sql)
                    Issue.record("\(second.role.name) could run: \(sql)")
                } catch let error as PostgresError {
                    #expect(error.sqlState == "42501", "\(sql): \(error)")
                }
            }
            // A user role cannot build the schema check's reference (no CREATE on the database):
            // the check says so and what to do, rather than failing obscurely.
            let checkAsUser = first.connection()
            let refused = await #expect(throws: MigrationError.self) {
                try await SchemaCheck(schema: first.schema, logger: quietLogger()).run(on: checkAsUser)
            }
            #expect(refused?.code == .permissionDenied)
            #expect(refused?.description.contains("run the check as the database owner") == true, "\(String(describing: refused))")
            await checkAsUser.close()
            // The other direction too.
            let reverse = first.connection()
            await #expect(throws: PostgresError.self) { try await reverse.query("SELECT * FROM \(second.schema.quoted).price_history") }
            await intruder.close()
            await reverse.close()
            // And the victim's row is intact.
            #expect(try await admin.query("SELECT price::text FROM \(victim)").scalar == "65432.10")
        } catch {
            await Self.drop([first, second], admin)
            throw error
        }
        await Self.drop([first, second], admin)
    }

    @Test func printedSQLIsLeastPrivilegeAndCarriesNoPassword() throws {
        let result = try RecioCtlProcess.run(["user", "create", "user_0002", "--database", "recio"])
        #expect(result.status == 0, "\(result.output)")
        let sql = result.stdout
        #expect(sql.contains("CREATE ROLE \"recio_user_0002\" LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"))
        #expect(sql.contains("CREATE SCHEMA IF NOT EXISTS \"user_0002\" AUTHORIZATION \"recio_user_0002\""))
        #expect(sql.contains("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        #expect(sql.contains("REVOKE ALL ON DATABASE \"recio\" FROM PUBLIC"))
        #expect(!sql.lowercased().contains("password '"))
        let bad = try RecioCtlProcess.run(["user", "create", "User; DROP TABLE x"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("not a plain PostgreSQL identifier"), "\(bad.output)")
    }

    private static func drop(_ users: [TestUser], _ admin: PostgresConnection) async {
        // Give the shared test database its default privileges back (provisioning revoked PUBLIC's
        // CONNECT and TEMPORARY), so other suites' roles can still connect.
        if let database = try? await admin.query("SELECT current_database()").scalar, let name = try? PostgresIdentifier(database) {
            _ = try? await admin.execute("GRANT CONNECT, TEMPORARY ON DATABASE \(name.quoted) TO PUBLIC")
        }
        for user in users {
            _ = try? await admin.execute("DROP SCHEMA IF EXISTS \(user.schema.quoted) CASCADE")
            _ = try? await admin.execute("DROP OWNED BY \(user.role.quoted)")
            _ = try? await admin.execute("DROP ROLE IF EXISTS \(user.role.quoted)")
        }
        await admin.close()
    }
}
