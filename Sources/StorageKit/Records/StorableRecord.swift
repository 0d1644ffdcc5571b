import Foundation

/// A value the daemons store. A record type describes, once, how it maps onto each kind of store
/// (PostgreSQL table, legacy SQLite layout, JSON files); the generic writers only follow those
/// mappings, so adding a record type never means touching a writer.
///
/// A store a record has no mapping for (`nil`) cannot be configured for it: the writer's
/// initializer throws `StorageError(.unsupportedRecord)`, which config validation reports.
public protocol StorableRecord: Sendable {
    /// Short dataset name used in logs, errors, file names and parity (`price_history`).
    static var dataset: String { get }
    /// How the record lives in PostgreSQL; `nil` when it has no PostgreSQL table.
    static var postgres: PostgresMapping<Self>? { get }
    /// How the record lives in a legacy SQLite file; `nil` when the legacy stack had none.
    static var sqlite: SQLiteMapping<Self>? { get }
    /// How the record lives in JSON files; `nil` when it has no file form.
    static var json: JSONMapping<Self>? { get }

    /// The natural key, rendered as text. Two records with the same key are the same fact:
    /// writers keep the last one of a batch, and stores keep one row per key.
    var naturalKey: String { get }

    /// The natural key as an integer, for records whose key is one number (a price tick's second):
    /// two records have equal `integerKey`s exactly when their `naturalKey`s are equal. Lets a
    /// writer de-duplicate a batch without building key strings. Default `nil`: use `naturalKey`.
    var integerKey: Int64? { get }

    /// Whether this record's natural key sorts strictly before `next`'s, for types that can tell
    /// without building key strings (a candlestick: ticker, period, end time); `nil` when the type
    /// cannot. A batch whose consecutive records all answer `true` has no duplicate key, so it is
    /// de-duplicated without a dictionary of keys. Default `nil`.
    func keyPrecedes(_ next: Self) -> Bool?

    /// Throws `StorageError(.invalidRecord)` when the record must not be stored
    /// (a non-positive price, an empty ticker...). Writers validate a whole batch before writing any of it.
    func validate() throws
}

extension StorableRecord {
    public static var postgres: PostgresMapping<Self>? { nil }
    public static var sqlite: SQLiteMapping<Self>? { nil }
    public static var json: JSONMapping<Self>? { nil }
    public var integerKey: Int64? { nil }
    public func keyPrecedes(_ next: Self) -> Bool? { nil }
}

extension Array where Element: StorableRecord {
    /// Validates every record, then drops earlier duplicates of a natural key (the last one wins,
    /// as a later observation of the same fact supersedes an earlier one). Order is otherwise kept.
    public func validatedAndDeduplicated() throws -> [Element] {
        for record in self { try record.validate() }
        return deduplicated()
    }

    /// Drops earlier duplicates of a natural key (the last one wins), for records the caller has
    /// validated one by one already. Order is otherwise kept.
    public func deduplicated() -> [Element] {
        if count < 2 { return self }
        // Integer keys: a batch in strictly increasing key order (the usual case) has no duplicate,
        // found in one pass without allocating; otherwise one dictionary of integers.
        var increasing = true
        var previous: Int64?
        for record in self {
            guard let key = record.integerKey else { increasing = false; previous = nil; break }
            if let p = previous, key <= p { increasing = false }
            previous = key
        }
        if increasing { return self }
        if previous != nil {
            var lastByKey: [Int64: Int] = [:]
            lastByKey.reserveCapacity(count)
            for (i, record) in enumerated() { lastByKey[record.integerKey!] = i }
            if lastByKey.count == count { return self }
            return enumerated().compactMap { lastByKey[$0.element.integerKey!] == $0.offset ? $0.element : nil }
        }
        // Records in strictly increasing key order, told by the type without key strings.
        if zip(self, dropFirst()).allSatisfy({ $0.keyPrecedes($1) == true }) { return self }
        var lastIndex: [String: Int] = [:]
        lastIndex.reserveCapacity(count)
        for (i, record) in enumerated() { lastIndex[record.naturalKey] = i }
        if lastIndex.count == count { return self }
        return enumerated().compactMap { lastIndex[$0.element.naturalKey] == $0.offset ? $0.element : nil }
    }
}
