import Foundation

/// The lines of an archive file's bytes: each line's byte range (without its newline) and whether
/// a newline ended it (the last line of a torn file has none).
struct JSONArchiveLines: RandomAccessCollection {
    struct Line {
        var range: Range<Int>
        var terminated: Bool
    }

    private let lines: [Line]

    init(_ data: Data) {
        var lines: [Line] = []
        var start = data.startIndex
        while start < data.endIndex {
            if let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(Line(range: start..<newline, terminated: true))
                start = newline + 1
            } else {
                lines.append(Line(range: start..<data.endIndex, terminated: false))
                start = data.endIndex
            }
        }
        self.lines = lines
    }

    var startIndex: Int { 0 }
    var endIndex: Int { lines.count }
    subscript(position: Int) -> Line { lines[position] }
}
