import Synchronization

/// A flag one task sets once and another polls (the backfill's "integrity check finished": its
/// read-ahead stops at the next chunk).
final class DoneFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .releasing) }

    var isSet: Bool { value.load(ordering: .acquiring) }
}
