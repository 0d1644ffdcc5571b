/// Finds where a value sits in a JSON document's bytes, so that one value can be replaced without
/// re-printing the rest (the operator's layout, comments-free JSON, key order and spacing all stay).
/// The document must already be valid JSON (the strict loader checks it first); this scanner only
/// walks it.
enum JSONValueSpan {
    /// The byte range of the value at `path` (object keys from the root), or `nil` when a key is missing.
    static func find(_ path: [String], in bytes: [UInt8]) -> Range<Int>? {
        var i = skipSpace(bytes, 0)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = skipSpace(bytes, 3) }
        var start = i
        for key in path {
            guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { return nil }
            guard let member = memberValue(key, bytes, objectStart: start) else { return nil }
            start = member
        }
        return start..<valueEnd(bytes, start)
    }

    /// The start of the value of the last member named `key` in the object at `objectStart`.
    private static func memberValue(_ key: String, _ bytes: [UInt8], objectStart: Int) -> Int? {
        let wanted = Array(key.utf8)
        var i = skipSpace(bytes, objectStart + 1)
        var found: Int?
        while i < bytes.count, bytes[i] != UInt8(ascii: "}") {
            let keyEnd = stringEnd(bytes, i)
            let name = Array(bytes[(i + 1)..<(keyEnd - 1)])
            i = skipSpace(bytes, keyEnd)
            i = skipSpace(bytes, i + 1)  // the colon
            if name == wanted { found = i }
            i = skipSpace(bytes, valueEnd(bytes, i))
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i = skipSpace(bytes, i + 1) }
        }
        return found
    }

    /// One past the end of the value starting at `i`.
    private static func valueEnd(_ bytes: [UInt8], _ start: Int) -> Int {
        switch bytes[start] {
        case UInt8(ascii: "\""): return stringEnd(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""): i = stringEnd(bytes, i); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return bytes.count
        default:
            var i = start
            while i < bytes.count, !",}] \n\r\t".utf8.contains(bytes[i]) { i += 1 }
            return i
        }
    }

    /// One past the closing quote of the string starting at `start`.
    private static func stringEnd(_ bytes: [UInt8], _ start: Int) -> Int {
        var i = start + 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
            if bytes[i] == UInt8(ascii: "\"") { return i + 1 }
            i += 1
        }
        return bytes.count
    }

    private static func skipSpace(_ bytes: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < bytes.count, " \n\r\t".utf8.contains(bytes[i]) { i += 1 }
        return i
    }
}
