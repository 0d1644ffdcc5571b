import Testing
@testable import StorageKit

/// `JSONByteReader` is the `OrderedJSON` parser driven token by token: it accepts and rejects the
/// same documents (`skipValue` builds nothing but checks the same grammar), and walking an object's
/// members gives the tree's members.
@Suite struct JSONByteReaderTests {
    static let valid = [
        #"{"a": 1, "b": [true, false, null, -0.5e+3, "x\"y", {"c": "\u00e9\ud83d\ude00"}], "d": {}, "e": []}"#,
        #"  [1, 2 , "three", {"k": "v"}]  "#, #""plain""#, "0", "-12.5", "null", "\u{FEFF}{\"bom\": true}",
        #"{"é": "ü", "dup": 1, "dup": 2}"#,
    ]
    static let invalid = [
        #"{"a": 1,}"#, #"[1 2]"#, #"{"a" 1}"#, #"{"a": tru}"#, #"{"a": "x"#, #"[01]"#, #"{"a": 1} x"#, "\"\u{01}\"",
        #"{"a": "\ud800"}"#, #"{"a": 1.}"#, #"{"a": -}"#, #"{1: 2}"#, "", "[", #"{"a": [}"#,
    ]

    @Test func skipValueAcceptsWhatTheParserAccepts() throws {
        for text in Self.valid + Self.invalid {
            let bytes = Array(text.utf8)
            let parsed = Result { () throws(OrderedJSONError) in try OrderedJSON.parse(bytes) }
            var reader = JSONByteReader(bytes)
            let skipped = Result { () throws(OrderedJSONError) in
                try reader.skipValue()
                try reader.finish()
            }
            switch (parsed, skipped) {
            case (.success, .success): break
            case (.failure(let a), .failure(let b)): #expect(a.code == b.code, "\(text): \(a) vs \(b)")
            default: Issue.record("\(text): parse \(parsed), skip \(skipped)")
            }
        }
        // Invalid UTF-8 inside a string is refused by both.
        let bad: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: OrderedJSONError.self) { try OrderedJSON.parse(bad) }
        var reader = JSONByteReader(bad)
        #expect(throws: OrderedJSONError.self) { try reader.skipValue() }
    }

    @Test func walkingMembersGivesTheTreesMembers() throws {
        let text = #"{"a": 1, "b\"q": [1, {"x": null}], "c": "text", "d": {"e": -2.50}, "a": "again"}"#
        let bytes = Array(text.utf8)
        guard case .object(let members) = try OrderedJSON.parse(bytes) else { Issue.record("not an object"); return }
        var reader = JSONByteReader(bytes)
        try reader.enterObject()
        var walked: [(String, OrderedJSON)] = []
        while let member = try reader.nextMember() {
            let name = member.escaped ? "b\"q" : reader.string(member.name)
            #expect(member.escaped == (name == "b\"q"))
            walked.append((name, try reader.value()))
        }
        try reader.finish()
        #expect(walked.map(\.0) == members.map(\.key))
        #expect(walked.map(\.1) == members.map(\.value))

        // Scalars read in place: raw string text, number text, names compared without a String.
        var r = JSONByteReader(Array(#"{"price": "0.5600", "n": -12, "s": "a\nb", "o": {"k": [1, 2]}}"#.utf8))
        try r.enterObject()
        var seen: [String] = []
        while let member = try r.nextMember() {
            if r.bytes(member.name, equal: "price") {
                let range = try #require(try r.rawString())
                #expect(r.string(range) == "0.5600")
                #expect(r.withBytes(range) { DollarAmount(utf8: $0) } == DollarAmount(tenThousandths: 5600))
            } else if r.bytes(member.name, equal: "n") {
                #expect(try r.rawString() == nil)
                let range = try #require(try r.numberText())
                #expect(r.string(range) == "-12")
            } else if r.bytes(member.name, equal: "s") {
                #expect(try r.rawString() == nil, "an escaped string is not read raw")
                #expect(try r.value() == .string("a\nb"))
            } else {
                #expect(try r.peek() == .object)
                let range = try r.skipValue()
                #expect(try OrderedJSON.parse(r.slice(range)) == .object([.init("k", .array([.number("1"), .number("2")]))]))
            }
            seen.append(r.string(member.name))
        }
        #expect(seen == ["price", "n", "s", "o"])
        #expect(!r.bytes(0..<3, equal: "{\"q"))
    }

    @Test func arraysAndTheirElements() throws {
        var r = JSONByteReader(Array(#"[ {"a": 1} , [] , "x" ]"#.utf8))
        try r.enterArray()
        var kinds: [JSONByteReader.Kind] = []
        while try r.nextElement() {
            kinds.append(try r.peek())
            try r.skipValue()
        }
        try r.finish()
        #expect(kinds == [.object, .array, .string])
        var bad = JSONByteReader(Array(#"[1 2]"#.utf8))
        try bad.enterArray()
        #expect(try bad.nextElement())
        try bad.skipValue()
        #expect(throws: OrderedJSONError.self) { try bad.nextElement() }
    }
}
