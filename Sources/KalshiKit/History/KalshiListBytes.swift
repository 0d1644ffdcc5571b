import Foundation
import StorageKit

/// Reads a list response (`{"candlesticks": [...]}`, `{"trades": [...], "cursor": "..."}`) straight
/// from its bytes with `JSONByteReader`: the items array's elements are decoded one by one, the
/// cursor is read, every other member is skipped (its syntax still checked). The body errors are
/// those of the tree path (`KalshiHTTPClient.document`): not JSON, truncated, an `error` object,
/// no items array (`unexpectedShape`).
struct KalshiListBytes<Record: StorableRecord>: Sendable {
    /// The records of the valid items, in order.
    var records: [Record] = []
    /// The items that did not decode or validate: the reason and an excerpt of the item.
    var invalid: [(reason: String, excerpt: String)] = []
    /// The cursor of the next page (`nil` or empty at the end).
    var cursor: String?

    /// Reads `data` (a 2xx body of `label`). `fast` decodes one item from a reader at it, or
    /// returns `nil` for an item it does not read (then `tree` decodes it from its parsed tree, which
    /// gives the record or the error); each record is validated.
    init(_ data: Data, itemsKey: String, status: Int, label: String,
         fast: (inout JSONByteReader) throws(OrderedJSONError) -> Record?, tree: (OrderedJSON) throws -> Record) throws(KalshiAPIError) {
        var reader = JSONByteReader([UInt8](data))
        var found = false
        var errorObject: OrderedJSON?
        var escapedName = false
        do throws(OrderedJSONError) {
            if try reader.peek() != .object {
                // JSON, but not an object: no items array (`found` stays false).
                try reader.skipValue()
            } else {
                try reader.enterObject()
                while let member = try reader.nextMember() {
                    if member.escaped {
                        escapedName = true
                        break
                    }
                    if reader.withBytes(member.name, { $0.elementsEqual(itemsKey.utf8) }) {
                        // A repeated member: the last one counts, as in the tree.
                        records = []
                        invalid = []
                        found = try reader.peek() == .array
                        guard found else { try reader.skipValue(); continue }
                        try reader.enterArray()
                        while try reader.nextElement() {
                            let range = try reader.skipValue()
                            var item = reader.reader(at: range.lowerBound)
                            let record: Record
                            do {
                                if let decoded = try? fast(&item) {
                                    record = decoded
                                } else {
                                    record = try tree(try OrderedJSON.parse(reader.slice(range)))
                                }
                                try record.validate()
                            } catch {
                                invalid.append(("\(error)", KalshiAPIError.excerpt(of: Array(reader.slice(range)))))
                                continue
                            }
                            records.append(record)
                        }
                    } else if reader.bytes(member.name, equal: "error") {
                        errorObject = try reader.value()
                    } else if reader.bytes(member.name, equal: "cursor") {
                        cursor = try reader.value().stringValue
                    } else {
                        try reader.skipValue()
                    }
                }
            }
            if !escapedName { try reader.finish() }
        } catch {
            throw KalshiHTTPClient.bodyError(error, data, status: status, label: label)
        }
        if escapedName {
            // An escaped member name could be any member: the whole body goes through the tree.
            self = try Self.viaTree(data, itemsKey: itemsKey, status: status, label: label, tree: tree)
            return
        }
        if let errorObject, !errorObject.isNull { throw KalshiHTTPClient.apiError(errorObject, data, status: status, label: label) }
        guard found else { throw Self.shape(itemsKey, data, status: status, label: label) }
        if cursor?.isEmpty == true { cursor = nil }
    }

    /// The items of a page parsed into a tree, decoded with `tree` and validated one by one.
    init(decoding items: [OrderedJSON], cursor: String?, tree: (OrderedJSON) throws -> Record) {
        self.cursor = cursor.flatMap { $0.isEmpty ? nil : $0 }
        records.reserveCapacity(items.count)
        for item in items {
            do {
                let record = try tree(item)
                try record.validate()
                records.append(record)
            } catch {
                invalid.append(("\(error)", KalshiAPIError.excerpt(of: Array(item.compactText.utf8))))
            }
        }
    }

    /// The tree path for the whole body (a body with an escaped member name).
    private static func viaTree(_ data: Data, itemsKey: String, status: Int, label: String,
                                tree: (OrderedJSON) throws -> Record) throws(KalshiAPIError) -> KalshiListBytes {
        let response = try KalshiHTTPClient.document(data, status: status, label: label)
        guard let items = response.document[itemsKey]?.arrayValue else { throw shape(itemsKey, data, status: status, label: label) }
        return KalshiListBytes(decoding: items, cursor: response.document["cursor"]?.stringValue, tree: tree)
    }

    private static func shape(_ itemsKey: String, _ data: Data, status: Int, label: String) -> KalshiAPIError {
        KalshiAPIError(.unexpectedShape, request: label, "no \"\(itemsKey)\" array in the response",
                       status: status, excerpt: KalshiAPIError.excerpt(of: data))
    }
}
