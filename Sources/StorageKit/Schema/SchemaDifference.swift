/// One way a live schema differs from the shape the migrations define: something `missing`
/// from the database, something `extra` in it, or something `different`, with both definitions.
public struct SchemaDifference: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case missing, extra, different
    }

    public var kind: Kind
    /// What differs: `table price_history`, `column market_snapshots.volume`,
    /// `index market_snapshots_event_ts`, `constraint price_history.price_history_pkey`,
    /// `partitioning live_analysis`.
    public var object: String
    /// The definition the migrations give (nil for `extra`).
    public var expected: String?
    /// The definition in the database (nil for `missing`).
    public var actual: String?

    public init(_ kind: Kind, _ object: String, expected: String?, actual: String?) {
        self.kind = kind
        self.object = object
        self.expected = expected
        self.actual = actual
    }

    public var description: String {
        "\(kind.rawValue) \(object): expected \(expected ?? "—"), found \(actual ?? "—")"
    }
}

extension SchemaCatalog {
    /// How `self` (the live schema) differs from `expected`, sorted by object. Column order is
    /// not compared (every statement names its columns); partition children never are.
    public func differences(from expected: SchemaCatalog) -> [SchemaDifference] {
        var out: [SchemaDifference] = []
        for name in Set(expected.tables.keys).union(tables.keys).sorted() {
            switch (expected.tables[name], tables[name]) {
            case let (want?, have?): out += Self.compare(want, have)
            case let (want?, nil): out.append(.init(.missing, "table \(name)", expected: want.kindDescription, actual: nil))
            case let (nil, have?): out.append(.init(.extra, "table \(name)", expected: nil, actual: have.kindDescription))
            case (nil, nil): break
            }
        }
        return out
    }

    private static func compare(_ want: Table, _ have: Table) -> [SchemaDifference] {
        var out: [SchemaDifference] = []
        let table = want.name
        if want.partitionKey != have.partitionKey {
            out.append(.init(.different, "partitioning \(table)", expected: want.kindDescription, actual: have.kindDescription))
        }
        out += diff("column \(table).", Dictionary(want.columns.map { ($0.name, $0.definition) }) { a, _ in a },
                    Dictionary(have.columns.map { ($0.name, $0.definition) }) { a, _ in a })
        out += diff("constraint \(table).", want.constraints, have.constraints)
        out += diff("index \(table).", want.indexes, have.indexes)
        return out
    }

    private static func diff(_ prefix: String, _ want: [String: String], _ have: [String: String]) -> [SchemaDifference] {
        Set(want.keys).union(have.keys).sorted().compactMap { key in
            switch (want[key], have[key]) {
            case let (w?, h?): return w == h ? nil : .init(.different, prefix + key, expected: w, actual: h)
            case let (w?, nil): return .init(.missing, prefix + key, expected: w, actual: nil)
            case let (nil, h?): return .init(.extra, prefix + key, expected: nil, actual: h)
            case (nil, nil): return nil
            }
        }
    }
}
