import Foundation

/// The on-disk framing of one spooled batch:
///
///     magic "RSP1" (4) | payload length (4, LE) | record count (4, LE) | CRC-32C (4, LE) | payload
///
/// The checksum covers the length, the count and the payload, so a frame cut short by a crash
/// (a torn write), or with a flipped byte, is recognised and dropped instead of replayed.
enum SpoolFrame {
    static let magic: [UInt8] = Array("RSP1".utf8)
    static let headerSize = 16
    /// A sanity bound on one frame's payload (a batch far larger than any writer produces).
    static let maximumPayload = 256 << 20

    /// The bytes of one frame.
    static func encode(payload: [UInt8], records: Int) -> [UInt8] {
        var header = magic
        append(UInt32(payload.count), to: &header)
        append(UInt32(records), to: &header)
        let crc = CRC32C.checksum(payload, seed: CRC32C.checksum(header[4..<12]))
        append(crc, to: &header)
        return header + payload
    }

    /// What was found at one offset of a segment.
    enum Parsed: Equatable {
        /// A whole, valid frame: its payload range inside the buffer and its record count.
        case frame(payload: Range<Int>, records: Int)
        /// The buffer ends exactly here.
        case end
        /// Not a valid frame (short header, short payload, wrong magic or checksum): `reason`.
        case torn(reason: String)
    }

    /// Parses the frame starting at `offset` of `bytes`.
    static func parse(_ bytes: [UInt8], at offset: Int) -> Parsed {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        guard remaining >= headerSize else { return .torn(reason: "header cut short (\(remaining) of \(headerSize) bytes)") }
        guard Array(bytes[offset..<offset + 4]) == magic else { return .torn(reason: "no frame marker") }
        let length = Int(read(bytes, offset + 4)), records = Int(read(bytes, offset + 8)), crc = read(bytes, offset + 12)
        guard length <= maximumPayload else { return .torn(reason: "implausible length \(length)") }
        guard remaining - headerSize >= length else {
            return .torn(reason: "payload cut short (\(remaining - headerSize) of \(length) bytes)")
        }
        let payload = (offset + headerSize)..<(offset + headerSize + length)
        let actual = CRC32C.checksum(bytes[payload], seed: CRC32C.checksum(bytes[(offset + 4)..<(offset + 12)]))
        guard actual == crc else { return .torn(reason: "checksum mismatch") }
        return .frame(payload: payload, records: records)
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func read(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
