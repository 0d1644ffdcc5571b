import Foundation

/// Seeded generation of bad input for the decoder property tests ("fuzzing" without libFuzzer):
/// each input is a seed from `Fuzz/Corpus/<target>/` put through one to four mutations —
/// truncation, byte flips, inserted or deleted runs, duplicated or spliced chunks, huge or odd
/// numbers, deep nesting, swapped JSON types, invalid UTF-8. The same seed gives the same inputs,
/// so a failure names the seed and iteration that reproduce it.
struct FuzzInputs {
    /// How many inputs a target gets: `RECIO_FUZZ_ITERATIONS`, else 400 (a bounded CI pass).
    static var iterations: Int {
        ProcessInfo.processInfo.environment["RECIO_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 400
    }

    /// The run's seed: `RECIO_FUZZ_SEED`, else a fixed one (CI reproducible; scripts/fuzz varies it).
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["RECIO_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EC0_1D10
    }

    /// The seed corpus of one target.
    static func corpus(_ target: String, filePath: String = #filePath) throws -> [[UInt8]] {
        var root = URL(fileURLWithPath: filePath)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        let folder = root.appendingPathComponent("Fuzz/Corpus/\(target)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { Array(try Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    private var state: UInt64
    let seeds: [[UInt8]]

    init(seeds: [[UInt8]], seed: UInt64 = FuzzInputs.seed) {
        precondition(!seeds.isEmpty, "a fuzz target needs at least one seed")
        self.seeds = seeds
        self.state = seed
    }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    /// The next bad input.
    mutating func input() -> [UInt8] {
        var bytes = seeds[below(seeds.count)]
        for _ in 0...below(4) { bytes = mutate(bytes) }
        return bytes
    }

    static let replacements: [[UInt8]] = [
        "99999999999999999999999999999999999999", "-1", "1e400", "-0", "0.0000000001", "NaN", "Infinity", "1E+308",
        "null", "true", "\"\"", "[]", "{}", "\"\\u0000\"", "\"\\ud800\"", "\"\\\\\"", "9223372036854775808", "-9223372036854775809",
        "\"2026-02-30T25:61:61Z\"", "\"\u{FEFF}\"", "\"' OR 1=1; --\"", "0x10", "1.", ".5", "+1", "01",
    ].map { Array($0.utf8) }

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        switch below(11) {
        case 0:  // truncate
            if !bytes.isEmpty { bytes.removeLast(below(bytes.count) + 1) }
        case 1:  // flip bits
            for _ in 0...below(8) where !bytes.isEmpty { bytes[below(bytes.count)] ^= UInt8(1 << below(8)) }
        case 2:  // random bytes in
            let at = below(bytes.count + 1)
            bytes.insert(contentsOf: (0...below(16)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: at)
        case 3:  // delete a run
            if !bytes.isEmpty {
                let at = below(bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(32)))
            }
        case 4:  // duplicate a chunk
            if !bytes.isEmpty {
                let at = below(bytes.count), length = min(bytes.count - at, 1 + below(64))
                bytes.insert(contentsOf: bytes[at..<(at + length)], at: below(bytes.count + 1))
            }
        case 5:  // splice another seed
            let other = seeds[below(seeds.count)]
            bytes = Array(bytes.prefix(below(bytes.count + 1))) + Array(other.suffix(below(other.count + 1)))
        case 6, 7:  // replace a JSON scalar (a number or string) with an odd one
            bytes = replaceScalar(bytes)
        case 8:  // deep nesting
            let depth = [10, 600, 5000, 100_000][below(4)]
            let open: UInt8 = below(2) == 0 ? UInt8(ascii: "[") : UInt8(ascii: "{")
            let at = below(bytes.count + 1)
            bytes.insert(contentsOf: [UInt8](repeating: open, count: depth), at: at)
        case 9:  // invalid UTF-8
            bytes.insert(contentsOf: [[0xC3], [0xED, 0xA0, 0x80], [0xFF, 0xFE], [0xF4, 0x90, 0x80, 0x80]][below(4)], at: below(bytes.count + 1))
        default:  // a huge value
            let filler = [UInt8](repeating: UInt8(ascii: ["9", "a", "\\"][below(3)]), count: 1 << (10 + below(8)))
            bytes.insert(contentsOf: filler, at: below(bytes.count + 1))
        }
        return bytes
    }

    /// Replaces the value after a random `:` (up to the next `,` `}` `]`) with an odd scalar.
    mutating func replaceScalar(_ bytes: [UInt8]) -> [UInt8] {
        let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") }
        guard !colons.isEmpty else { return bytes }
        let start = colons[below(colons.count)] + 1
        var end = start
        var inString = false
        while end < bytes.count {
            let b = bytes[end]
            if b == UInt8(ascii: "\"") { inString.toggle() }
            if !inString, b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") { break }
            end += 1
        }
        var out = bytes
        out.replaceSubrange(start..<end, with: Self.replacements[below(Self.replacements.count)])
        return out
    }
}
