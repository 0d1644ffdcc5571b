import Foundation
import Synchronization
import Testing
@testable import StorageKit

@Suite struct PostgresRestartTests {
    /// Set by the test, read by the writing task.
    final class StopFlag: Sendable {
        private let flag = Mutex(false)
        func stop() { flag.withLock { $0 = true } }
        var isStopped: Bool { flag.withLock { $0 } }
    }

    @Test(.timeLimit(.minutes(2)))
    func writerSurvivesAServerRestartWithoutLosingAcknowledgedRows() async throws {
        try await PrivatePostgresCluster.with { cluster in
            let configuration = PostgresConfiguration(
                connectionString: cluster.connectionString,
                applicationName: "recio-restart-test",
                reconnect: .init(initialDelay: .milliseconds(20), maxDelay: .milliseconds(500), budget: .seconds(60))
            )
            let schema = try PostgresIdentifier("user_0001")
            let admin = PostgresConnection(configuration: configuration, logger: TestPostgres.logger)
            try await SchemaMigrator(schema: schema, logger: TestPostgres.logger).migrate(on: admin)
            let startedAt = try await admin.query("SELECT pg_postmaster_start_time()::text").scalar

            let writer = try PostgresWriter<PriceTick>(configuration: configuration, schema: schema, logger: TestPostgres.logger)
            let (acks, acked) = AsyncStream.makeStream(of: Int.self)
            let stop = StopFlag()
            let base: Int64 = 1_782_863_400  // 2026-06-30T23:50:00Z
            let writing = Task { () -> (acknowledged: [Int64], failures: [String]) in
                var acknowledged: [Int64] = []
                var failures: [String] = []
                var next = base
                var round = 0
                while !stop.isStopped {
                    // Alternate the INSERT path (small) and the COPY path (large).
                    let size = round % 2 == 0 ? 10 : 150
                    let batch = (0..<size).map { PriceTick(second: next + Int64($0), price: USDCents(cents: 6_400_000 + Int64($0)), source: .coinbaseWebSocket) }
                    next += Int64(size)
                    round += 1
                    do {
                        try await writer.write(batch)
                        acknowledged += batch.map(\.second)
                        acked.yield(round)
                    } catch {
                        failures.append(String(describing: error))
                    }
                }
                acked.finish()
                return (acknowledged, failures)
            }

            var rounds = acks.makeAsyncIterator()
            while let round = await rounds.next(), round < 5 {}
            try await cluster.restart()
            // Keep writing until several batches went through after the restart.
            var afterRestart = 0
            while await rounds.next() != nil {
                afterRestart += 1
                if afterRestart == 6 { break }
            }
            stop.stop()
            let (acknowledged, failures) = await writing.value
            try await writer.close()

            let restartedAt = try await admin.withReconnect { conn in
                try conn.query("SELECT pg_postmaster_start_time()::text").scalar
            }
            #expect(restartedAt != startedAt, "the server did not restart")
            #expect(afterRestart == 6)
            #expect(failures.isEmpty, "writes failed: \(failures)")
            let stored = try await admin.withReconnect { conn in
                try conn.query("SELECT extract(epoch FROM ts)::bigint::text FROM \(schema.quoted).price_history ORDER BY ts")
            }
            let seconds = stored.rows.compactMap { $0[0].flatMap { Int64($0) } }
            #expect(Set(seconds).count == seconds.count)
            #expect(Set(acknowledged).isSubset(of: Set(seconds)))
            #expect(seconds.count == acknowledged.count)
            await admin.close()
        }
    }
}
