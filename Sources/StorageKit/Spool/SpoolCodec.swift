import Foundation

/// The stable byte form of a batch in a spool. Records that are `Codable` (all but a few) are
/// spooled as their JSON encoding, one record a line; a record that is not `Codable` but has a
/// PostgreSQL mapping is spooled as the mapping's text columns (the exact values PostgreSQL gets).
/// A record with neither cannot be spooled (`codec` is `nil`).
public struct SpoolCodec<Record: StorableRecord>: Sendable {
    public var encode: @Sendable ([Record]) throws -> [UInt8]
    public var decode: @Sendable ([UInt8]) throws -> [Record]

    /// The codec for `Record`, or `nil` when it has no stable byte form.
    public static var forRecord: SpoolCodec<Record>? {
        if Record.self is any Codable.Type { return json }
        if let mapping = Record.postgres { return postgresColumns(mapping) }
        return nil
    }

    private static var json: SpoolCodec<Record> {
        SpoolCodec(
            encode: { batch in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                var out: [UInt8] = []
                for (i, record) in batch.enumerated() {
                    guard let value = record as? any Encodable else { throw failure("\(Record.self) is not Encodable") }
                    if i > 0 { out.append(0x0A) }
                    out.append(contentsOf: try encoder.encode(value))  // no raw newline: JSON escapes them
                }
                return out
            },
            decode: { bytes in
                guard let type = Record.self as? any Decodable.Type else { throw failure("\(Record.self) is not Decodable") }
                let decoder = JSONDecoder()
                return try bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map { line in
                    guard let record = try decoder.decode(type, from: Data(line)) as? Record else {
                        throw failure("a spooled line did not decode as \(Record.self)")
                    }
                    return record
                }
            }
        )
    }

    private static func postgresColumns(_ mapping: PostgresMapping<Record>) -> SpoolCodec<Record> {
        SpoolCodec(
            encode: { batch in
                let rows: [[Any]] = batch.map { mapping.encode($0).map { $0 as Any? ?? NSNull() } }
                return Array(try JSONSerialization.data(withJSONObject: rows))
            },
            decode: { bytes in
                guard let rows = try JSONSerialization.jsonObject(with: Data(bytes)) as? [[Any]] else {
                    throw failure("spooled columns are not an array of rows")
                }
                return try rows.map { row in try mapping.decode(row.map { $0 as? String }) }
            }
        )
    }

    private static func failure(_ message: String) -> SpoolError {
        SpoolError(.encoding, path: Record.dataset, message)
    }
}
