import Foundation
import Testing
@testable import StorageKit

@Suite struct PostgresConnectionTests {
    static let awkwardValues: [String?] = [
        "plain", "it's", "\"double\"", "back\\slash", "\\N", "tab\there", "line\nbreak", "carriage\rreturn",
        "unicode ✓ 日本語 🚀", "'; DROP TABLE x; --", "", nil, "$1", "trailing backslash\\",
    ]

    @Test func parametersRoundTripUnchanged() async throws {
        let connection = try TestPostgres.connection()
        defer { Task { await connection.close() } }
        for value in Self.awkwardValues {
            let rows = try await connection.query("SELECT $1::text AS v, $1::text IS NULL AS n", [value])
            #expect(rows.columns == ["v", "n"])
            #expect(rows.rows == [[value, value == nil ? "t" : "f"]])
        }
    }

    @Test func injectionTextIsStoredAsData() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            try await connection.execute("CREATE TABLE \(schema.quoted).x (v text)")
            let evil = "'); DROP TABLE \(schema.quoted).x; --"
            #expect(try await connection.execute("INSERT INTO \(schema.quoted).x (v) VALUES ($1)", [evil]) == 1)
            let rows = try await connection.query("SELECT v FROM \(schema.quoted).x")
            #expect(rows.rows == [[evil]])
        }
    }

    @Test func sessionRunsInUTC() async throws {
        let connection = try TestPostgres.connection()
        let rows = try await connection.query("SELECT $1::timestamptz::text", ["2026-05-01 12:00:00+02"])
        #expect(rows.scalar == "2026-05-01 10:00:00+00")
        await connection.close()
    }

    @Test func errorsCarrySQLStateAndStatementButNoValues() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            let missing = await #expect(throws: PostgresError.self) {
                try await connection.query("SELECT * FROM \(schema.quoted).no_such_table")
            }
            #expect(missing?.sqlState == "42P01")
            #expect(missing?.code == .queryFailed)
            #expect(missing?.statement?.contains("no_such_table") == true)
            #expect(missing?.isTransient == false)

            try await connection.execute("CREATE TABLE \(schema.quoted).k (id text PRIMARY KEY)")
            let secret = "value-that-must-not-leak-42"
            try await connection.execute("INSERT INTO \(schema.quoted).k VALUES ($1)", [secret])
            let duplicate = await #expect(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO \(schema.quoted).k VALUES ($1)", [secret])
            }
            #expect(duplicate?.sqlState == "23505")
            #expect(duplicate?.statement == "INSERT INTO \(schema.quoted).k VALUES ($1)")
            #expect(duplicate?.description.contains("23505") == true)
            #expect(duplicate?.isConnectionLoss == false)
            // The connection is still usable after a statement error.
            #expect(try await connection.query("SELECT count(*) FROM \(schema.quoted).k").scalar == "1")
        }
    }

    @Test func copyInRoundTripsEscapes() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            try await connection.execute("CREATE TABLE \(schema.quoted).c (i integer PRIMARY KEY, v text, w text)")
            let rows: [[String?]] = Self.awkwardValues.enumerated().map { [String($0.offset), $0.element, "w\\\t\n\r\($0.offset)"] }
            let stored = try await connection.copyIn("COPY \(schema.quoted).c (i, v, w) FROM STDIN", rows: rows)
            #expect(stored == rows.count)
            let back = try await connection.query("SELECT i, v, w FROM \(schema.quoted).c ORDER BY i")
            #expect(back.rows == rows)
        }
    }

    @Test func copyInStreamsManyChunks() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            try await connection.execute("CREATE TABLE \(schema.quoted).c (i integer PRIMARY KEY, v text)")
            let rows: [[String?]] = (0..<5_000).map { [String($0), String(repeating: "x\t", count: $0 % 7)] }
            let stored = try await connection.copyIn("COPY \(schema.quoted).c (i, v) FROM STDIN", rows: rows, chunkSize: 100)
            #expect(stored == 5_000)
            let back = try await connection.query("SELECT count(*), sum(length(v)) FROM \(schema.quoted).c")
            #expect(back.rows == [["5000", String(rows.reduce(0) { $0 + ($1[1]?.count ?? 0) })]])
        }
    }

    @Test func copyInFailureKeepsNothingAndConnectionUsable() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            try await connection.execute("CREATE TABLE \(schema.quoted).c (i integer PRIMARY KEY)")
            let error = await #expect(throws: PostgresError.self) {
                try await connection.copyIn("COPY \(schema.quoted).c (i) FROM STDIN", rows: [["1"], ["2"], ["1"]])
            }
            #expect(error?.sqlState == "23505")
            #expect(error?.code == .copyFailed)
            let nul = await #expect(throws: PostgresError.self) {
                try await connection.copyIn("COPY \(schema.quoted).c (i) FROM STDIN", rows: [["3"], ["4\u{0}"]])
            }
            #expect(nul?.code == .copyFailed)
            #expect(try await connection.query("SELECT count(*) FROM \(schema.quoted).c").scalar == "0")
        }
    }

    struct Boom: Error {}

    @Test func transactionCommitsOrRollsBack() async throws {
        try await TestPostgres.withSchema(.created) { schema, connection in
            let table = "\(schema.quoted).t"
            try await connection.execute("CREATE TABLE \(table) (i integer PRIMARY KEY)")
            await #expect(throws: Boom.self) {
                try await connection.transaction { conn in
                    try conn.execute("INSERT INTO \(table) VALUES (1)")
                    throw Boom()
                }
            }
            // A failed statement inside the body rolls back everything before it too.
            await #expect(throws: PostgresError.self) {
                try await connection.transaction { conn in
                    try conn.execute("INSERT INTO \(table) VALUES (2)")
                    try conn.execute("INSERT INTO \(table) VALUES (2)")
                }
            }
            let inserted = try await connection.transaction { conn in
                try conn.execute("INSERT INTO \(table) VALUES (3), (4)")
            }
            #expect(inserted == 2)
            #expect(try await connection.query("SELECT i FROM \(table) ORDER BY i").rows == [["3"], ["4"]])
        }
    }

    @Test func lostConnectionIsDetectedAndReestablished() async throws {
        let connection = try TestPostgres.connection()
        let killer = try TestPostgres.connection()
        let pid = try #require(try await connection.query("SELECT pg_backend_pid()").scalar)
        #expect(try await killer.query("SELECT pg_terminate_backend($1::integer)", [pid]).scalar == "t")
        // The terminated backend is gone once it no longer shows in pg_stat_activity.
        _ = try await killer.query("""
            DO $$ BEGIN
              FOR i IN 1..500 LOOP
                EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = \(Int(pid) ?? 0));
                PERFORM pg_sleep(0.01);
              END LOOP;
            END $$
            """)
        let lost = await #expect(throws: PostgresError.self) {
            try await connection.query("SELECT 1")
        }
        #expect(lost?.isConnectionLoss == true)
        #expect(lost?.isTransient == true)
        let newPid = try await connection.withReconnect { conn in try conn.query("SELECT pg_backend_pid()").scalar }
        #expect(newPid != nil && newPid != pid)
        await connection.close()
        await killer.close()
    }

    @Test func closedConnectionRefusesCalls() async throws {
        let connection = try TestPostgres.connection()
        try await connection.connect()
        #expect(await connection.isConnected)
        await connection.close()
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
        #expect(error?.code == .invalidState)
    }
}
