/// Writes `OrderedJSON` as text, compact or indented (Python `json.dump(indent=n)` layout).
/// Strings are escaped minimally (`"`, `\`, control characters); non-ASCII stays UTF-8.
enum OrderedJSONPrinter {
    static func write(_ value: OrderedJSON, indent: Int?, level: Int, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                newline(indent, level + 1, &out)
                write(item, indent: indent, level: level + 1, to: &out)
            }
            newline(indent, level, &out)
            out += "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{"
            for (n, member) in members.enumerated() {
                if n > 0 { out += "," }
                newline(indent, level + 1, &out)
                writeString(member.key, to: &out)
                out += indent == nil ? ":" : ": "
                write(member.value, indent: indent, level: level + 1, to: &out)
            }
            newline(indent, level, &out)
            out += "}"
        }
    }

    private static func newline(_ indent: Int?, _ level: Int, _ out: inout String) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: " ", count: indent * level)
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
