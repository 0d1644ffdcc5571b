/// Reads one PostgreSQL text row column by column for a mapping's `decode`, failing with one
/// `StorageError(.corruptData)` that names the dataset, the column and the row.
struct PostgresRowCursor {
    let row: [String?]
    let dataset: String
    private(set) var index = 0

    init(_ row: [String?], dataset: String, columns: Int) throws {
        guard row.count == columns else {
            throw StorageError(.corruptData, subject: dataset, "expected \(columns) columns, found \(row.count) in \(row)")
        }
        self.row = row
        self.dataset = dataset
    }

    private func fail(_ what: String) -> StorageError {
        StorageError(.corruptData, subject: dataset, "column \(index + 1) is not \(what) in \(row)")
    }

    mutating func optionalText() -> String? {
        defer { index += 1 }
        return row[index]
    }

    mutating func text() throws -> String {
        guard let value = row[index] else { throw fail("text") }
        index += 1
        return value
    }

    mutating func dollars() throws -> DollarAmount {
        guard let value = row[index].flatMap({ DollarAmount(decimalString: $0) }) else { throw fail("a dollar amount") }
        index += 1
        return value
    }

    mutating func optionalDollars() throws -> DollarAmount? {
        guard let text = row[index] else { index += 1; return nil }
        return try dollars(text)
    }

    private mutating func dollars(_ text: String) throws -> DollarAmount {
        guard let value = DollarAmount(decimalString: text) else { throw fail("a dollar amount") }
        index += 1
        return value
    }

    mutating func count() throws -> ContractCount {
        guard let value = row[index].flatMap({ ContractCount(decimalString: $0) }) else { throw fail("a contract count") }
        index += 1
        return value
    }

    mutating func optionalCount() throws -> ContractCount? {
        guard row[index] != nil else { index += 1; return nil }
        return try count()
    }

    mutating func integer() throws -> Int64 {
        guard let value = row[index].flatMap({ Int64($0) }) else { throw fail("an integer") }
        index += 1
        return value
    }

    mutating func optionalInteger() throws -> Int64? {
        guard row[index] != nil else { index += 1; return nil }
        return try integer()
    }

    mutating func epochSeconds() throws -> Int64 {
        guard let value = row[index].flatMap(UTCTime.parseEpochSeconds) else { throw fail("a timestamp") }
        index += 1
        return value
    }

    mutating func optionalEpochSeconds() throws -> Int64? {
        guard row[index] != nil else { index += 1; return nil }
        return try epochSeconds()
    }

    mutating func optionalBool() throws -> Bool? {
        guard row[index] != nil else { index += 1; return nil }
        return try bool()
    }

    mutating func bool() throws -> Bool {
        switch row[index] {
        case "t", "true": index += 1; return true
        case "f", "false": index += 1; return false
        default: throw fail("a boolean")
        }
    }
}

/// Shared checks of the Kalshi history records' `validate()`. `key` (the record named in the error)
/// is only built when a check fails: a million valid rows build no message text.
enum KalshiRecordCheck {
    static func ticker(_ value: String, _ name: String, dataset: String, key: @autoclosure () -> String) throws {
        guard !value.isEmpty, value.utf8.count <= 200, !value.utf8.contains(0) else {
            throw StorageError(.invalidRecord, subject: dataset, "\(key()): \(name) is empty, too long or has a NUL byte")
        }
    }

    static func epoch(_ value: Int64, _ name: String, dataset: String, key: @autoclosure () -> String) throws {
        guard value > 946_684_800, value < 4_102_444_800 else {
            throw StorageError(.invalidRecord, subject: dataset, "\(key()): \(name) \(value) is outside 2000...2100")
        }
    }

    static func price(_ value: DollarAmount, _ name: String, dataset: String, key: @autoclosure () -> String) throws {
        guard value.tenThousandths >= 0, value.tenThousandths <= 10_000 else {
            throw StorageError(.invalidRecord, subject: dataset, "\(key()): \(name) \(value) is not a contract price (0...1 dollars)")
        }
    }

    static func nonNegative(_ value: ContractCount, _ name: String, dataset: String, key: @autoclosure () -> String) throws {
        guard value.hundredths >= 0 else {
            throw StorageError(.invalidRecord, subject: dataset, "\(key()): \(name) \(value) is negative")
        }
    }

    static func raw(_ value: String, dataset: String, key: @autoclosure () -> String) throws {
        guard !value.isEmpty, !value.utf8.contains(0) else {
            throw StorageError(.invalidRecord, subject: dataset, "\(key()): empty raw JSON or a NUL byte in it")
        }
    }

    static func oneOf(_ value: String, _ allowed: [String], _ name: String, dataset: String, key: @autoclosure () -> String) throws {
        guard allowed.contains(value) else {
            throw StorageError(.invalidRecord, subject: dataset, "\(key()): \(name) \"\(value)\" is not one of \(allowed.sorted())")
        }
    }
}
