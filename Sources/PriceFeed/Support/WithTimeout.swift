/// The operation did not finish within its time limit.
struct TimeoutError: Error, CustomStringConvertible {
    var limit: Duration
    var description: String { "no result within \(limit)" }
}

/// Runs `operation`, cancelling it and throwing `TimeoutError` if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimeoutError(limit: limit) }
        return value
    }
}
