import Foundation
import Logging
import ServiceKit
import StorageKit

/// Produces `RECIO_TEST_BATCH` consecutive 1-second ticks every `RECIO_TEST_INTERVAL_MS`, starting
/// at `RECIO_TEST_START`, and records them as the price watchdog would. On shutdown it logs the
/// last accepted second, which the tests compare with the store.
final class SyntheticPriceDaemon: Daemon {
    static let service = ServiceName.btcPriceWatchdog

    static func writerPlans(_ factory: WriterFactory) -> [(dataset: String, plan: WriterFactory.Plan?)] {
        [(PriceTick.dataset, factory.plan(for: PriceTick.self))]
    }

    let ticks: DatasetChannel<PriceTick>
    let factory: WriterFactory
    let logger: Logger
    let start: Int64
    let batch: Int
    let interval: Duration
    private let produced = Counter()

    init(context: DaemonContext) throws {
        let env = ProcessInfo.processInfo.environment
        factory = context.factory
        logger = context.logger
        start = Int64(env["RECIO_TEST_START"] ?? "") ?? 1_764_000_000
        batch = Int(env["RECIO_TEST_BATCH"] ?? "") ?? 10
        interval = .milliseconds(Int(env["RECIO_TEST_INTERVAL_MS"] ?? "") ?? 100)
        ticks = try DatasetChannel(PriceTick.self, factory: factory)
    }

    func prepare() async throws {
        try await factory.prepareStores()
    }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.ticks.pipeline.run() }
            group.addTask {
                while !Task.isCancelled {
                    let first = self.start + Int64(self.produced.value)
                    let records = (0..<self.batch).map { i in
                        PriceTick(second: first + Int64(i), price: USDCents(cents: 6_400_000 + (first + Int64(i)) % 1000), source: .coinbaseWebSocket)
                    }
                    await self.ticks.accept(records)
                    self.produced.add(self.batch)
                    self.logger.debug("accepted", metadata: ["last_second": "\(first + Int64(self.batch) - 1)"])
                    try? await Task.sleep(for: self.interval)
                }
            }
            await group.waitForAll()
        }
    }

    func health() async -> HealthReport {
        guard let last = await ticks.pipeline.lastWriteAt, Date().timeIntervalSince(last) < 10 else {
            return .unhealthy(reason: "no row stored in the last 10 s")
        }
        return .healthy
    }

    func statusLine() async -> String {
        StatusLine("writing \(ticks.writer.name)", "accepted \(produced.value)", "pending \(await ticks.pipeline.pending)").description
    }

    func reload(context: DaemonContext) async throws {
        try await context.factory.prepareStores()
        try await ticks.reload(factory: context.factory)
    }

    func pendingRecords() async -> Int { await ticks.pipeline.pending }

    func shutdown() async throws {
        try await ticks.shutdown(until: .now + .seconds(30))
        logger.notice("synthetic daemon stopped", metadata: ["accepted": "\(produced.value)", "last_second": "\(start + Int64(produced.value) - 1)"])
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add(_ n: Int) { lock.withLock { count += n } }
}
