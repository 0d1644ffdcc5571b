extension PostgresConnection {
    /// Reads the shape of `schema` from `pg_catalog` (an empty catalog when the schema does not
    /// exist). Partitions are folded into their parent (see `SchemaCatalog`).
    public func schemaCatalog(_ schema: PostgresIdentifier) throws -> SchemaCatalog {
        let name = [schema.name]
        let normalize = { (text: String) in SchemaCatalog.removingSchemaName(schema, from: text) }
        var tables: [String: SchemaCatalog.Table] = [:]
        for row in try query("""
            SELECT c.relname, COALESCE(pg_get_partkeydef(c.oid), ''),
                   (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """, name).rows {
            guard let table = row[0] else { continue }
            tables[table] = SchemaCatalog.Table(name: table, partitionKey: row[1] ?? "", partitionCount: Int(row[2] ?? "0") ?? 0)
        }
        for row in try query("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum
            """, name).rows {
            guard let table = row[0], let column = row[1] else { continue }
            tables[table]?.columns.append(.init(name: column, type: row[2] ?? "", notNull: row[3] == "t",
                                                defaultExpression: normalize(row[4] ?? "")))
        }
        for row in try query("""
            SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
            FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """, name).rows {
            guard let table = row[0], let constraint = row[1] else { continue }
            tables[table]?.constraints[constraint] = normalize(row[2] ?? "")
        }
        for row in try query("""
            SELECT t.relname, i.relname, x.indisunique, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = $1 AND t.relkind IN ('r', 'p') AND NOT t.relispartition
            """, name).rows {
            guard let table = row[0], let index = row[1], let definition = row[3] else { continue }
            // `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING method (...)`: keep from USING on.
            let method = definition.range(of: " USING ").map { String(definition[$0.upperBound...]) } ?? definition
            tables[table]?.indexes[index] = (row[2] == "t" ? "UNIQUE " : "") + "USING " + normalize(method)
        }
        return SchemaCatalog(tables: tables)
    }

    /// The shape `migrations` give a schema, built for real in this database: inside one
    /// transaction a scratch schema is created, `schema_migrations` and every migration are
    /// applied to it, the catalog is read, and the transaction is rolled back, so nothing is left
    /// behind whatever happens. Needs the `CREATE` privilege on the database.
    public func referenceCatalog(migrations: [Migration]) throws -> SchemaCatalog {
        let scratch = try PostgresIdentifier("recio_reference_" + String(UInt64.random(in: 0...UInt64.max), radix: 16))
        struct RollBack: Error { let catalog: SchemaCatalog }
        do {
            try transaction { conn in
                try conn.executeScript("CREATE SCHEMA \(scratch.quoted)")
                try conn.executeScript(SchemaMigrator.bookkeepingTableSQL(scratch))
                for migration in migrations.sorted(by: { $0.version < $1.version }) {
                    try conn.executeScript(migration.sql(for: scratch))
                }
                throw RollBack(catalog: try conn.schemaCatalog(scratch))
            }
        } catch let done as RollBack {
            return done.catalog
        }
        throw PostgresError(.invalidState, message: "the reference schema transaction did not roll back")
    }
}

extension SchemaCatalog {
    /// `text` with `"schema".` and `schema.` replaced by `{schema}.`.
    static func removingSchemaName(_ schema: PostgresIdentifier, from text: String) -> String {
        guard text.contains(schema.name) else { return text }
        return text.replacingOccurrences(of: schema.quoted + ".", with: "{schema}.")
            .replacingOccurrences(of: schema.name + ".", with: "{schema}.")
    }
}
