// libFuzzer entry point for the OrderedJSON parser (the base of the Kalshi decoding): compiled
// together with Sources/StorageKit/JSON/OrderedJSON*.swift by scripts/fuzz-libfuzzer, with
// coverage guidance and AddressSanitizer. Property: what parses prints back to text that parses
// to the same value; anything else must be an OrderedJSONError (typed throws), never a trap.

@_cdecl("LLVMFuzzerTestOneInput")
public func orderedJSONFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? OrderedJSON.parse(bytes) else { return 0 }
    guard let again = try? OrderedJSON.parse(Array(value.compactText.utf8)), again == value else {
        fatalError("compact text does not round-trip: \(value.compactText)")
    }
    guard let indented = try? OrderedJSON.parse(Array(value.indentedText().utf8)), indented == value else {
        fatalError("indented text does not round-trip: \(value.indentedText())")
    }
    return 0
}
