import StorageKit

/// The least-privilege PostgreSQL setup for one user's namespace: a login role that owns exactly
/// one schema (`user_0002`) and nothing else.
///
/// - the role is `LOGIN NOINHERIT` with every elevated attribute off (no superuser, no CREATEDB,
///   no CREATEROLE, no replication, no RLS bypass) and a connection limit;
/// - it owns its schema, so the daemons' `SchemaMigrator` can create and migrate the tables and
///   partitions in it, and it has no privilege on any other user's schema (a query there fails
///   with SQLSTATE 42501);
/// - `PUBLIC` loses every database privilege (CONNECT, TEMPORARY) and `CREATE` on `public`, so a
///   role can connect only where it is granted CONNECT and can create objects only in its schema.
///
/// The statements are idempotent (re-running them re-asserts the attributes), and carry no
/// password: set one out of band (`\password` in psql sends only a SCRAM verifier), or use peer
/// authentication over the local socket.
public struct UserProvisioning: Sendable {
    /// The user schema (`user_0002`).
    public let schema: PostgresIdentifier
    /// The login role (`recio_user_0002` by default).
    public let role: PostgresIdentifier
    /// The database the daemons connect to.
    public let database: PostgresIdentifier
    /// Most concurrent connections of the role (four daemons and an operator, with room).
    public let connectionLimit: Int

    public init(schema: PostgresIdentifier, role: PostgresIdentifier? = nil, database: PostgresIdentifier, connectionLimit: Int = 32) throws {
        self.schema = schema
        self.role = try role ?? PostgresIdentifier("recio_" + schema.name)
        self.database = database
        self.connectionLimit = connectionLimit
    }

    /// The statements, one a string, in order.
    public var statements: [String] {
        let r = role.quoted, s = schema.quoted, d = database.quoted
        let attributes = "LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT \(connectionLimit)"
        return [
            // CREATE ROLE has no IF NOT EXISTS; the ALTER below re-asserts the attributes of an existing role.
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(role.name)') THEN CREATE ROLE \(r) \(attributes); END IF; END $$",
            "ALTER ROLE \(r) \(attributes)",
            "REVOKE ALL ON DATABASE \(d) FROM PUBLIC",
            "GRANT CONNECT ON DATABASE \(d) TO \(r)",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            "CREATE SCHEMA IF NOT EXISTS \(s) AUTHORIZATION \(r)",
            "ALTER SCHEMA \(s) OWNER TO \(r)",
            "REVOKE ALL ON SCHEMA \(s) FROM PUBLIC",
            "ALTER ROLE \(r) SET search_path = \(s)",
        ]
    }

    /// The statements as a script to review or feed to `psql` (`-v ON_ERROR_STOP=1`).
    public var script: String {
        "-- least-privilege role \(role.name) owning only schema \(schema.name) in database \(database.name)\nBEGIN;\n"
            + statements.map { $0 + ";\n" }.joined() + "COMMIT;\n"
    }

    /// Applies the statements in one transaction on `connection` (which must be a role allowed to
    /// create roles and schemas, e.g. the database owner).
    public func apply(on connection: PostgresConnection) async throws {
        let statements = self.statements
        try await connection.transaction { conn in
            for statement in statements { try conn.execute(statement) }
        }
    }
}
