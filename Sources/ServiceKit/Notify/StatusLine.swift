import Foundation

/// Composes the one-line `STATUS=` summary from parts, e.g.
/// `writing sqlite+postgres (primary sqlite) · last row 14:03:05Z · backlog 0`. Empty and `nil`
/// parts are skipped; newlines inside a part become spaces.
public struct StatusLine: Sendable, Hashable, CustomStringConvertible {
    /// The separator between parts.
    public static let separator = " · "

    /// The parts in display order.
    public var parts: [String]

    public init(_ parts: [String?]) {
        self.parts = parts.compactMap { $0.map(NotifyState.oneLine) }.filter { !$0.isEmpty }
    }

    public init(_ parts: String?...) { self.init(parts) }

    public var description: String { parts.joined(separator: StatusLine.separator) }

    /// `14:03:05Z`: a UTC wall-clock time to second precision, the form used for "last row" parts.
    public static func time(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let daySeconds = ((seconds % 86_400) + 86_400) % 86_400
        let h = daySeconds / 3600, m = daySeconds / 60 % 60, s = daySeconds % 60
        return "\(pad(h)):\(pad(m)):\(pad(s))Z"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
