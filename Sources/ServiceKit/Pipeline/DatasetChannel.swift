import Foundation
import Logging
import StorageKit

/// One dataset a daemon records (price ticks, heartbeats...): the writer `services.json` asks for,
/// wrapped so it can be swapped on reload, behind a queue that decouples the producer from storage.
/// Every daemon uses the same channel, so reload, shutdown and status behave the same everywhere.
public final class DatasetChannel<Record: StorableRecord>: Sendable {
    public let pipeline: RecordPipeline<Record>
    public let writer: SwappableWriter<Record>
    private let json: WriterFactory.JSONForms?

    /// Builds the channel from the factory. A dataset the service does not write at its current
    /// stage gets a `DisabledWriter` (records are dropped and `STATUS=` says so).
    public init(_ type: Record.Type, factory: WriterFactory, json: WriterFactory.JSONForms? = nil, maxBatch: Int = 5_000) throws {
        self.json = json
        let initial = try factory.makeWriter(type, json: json) ?? DisabledWriter<Record>()
        self.writer = SwappableWriter(initial, logger: factory.logger)
        self.pipeline = RecordPipeline(writer: writer, maxBatch: maxBatch, logger: factory.logger)
    }

    /// Queues records for writing.
    public func accept(_ records: [Record]) async { await pipeline.accept(records) }

    /// Builds the writer for a new config and swaps it in (SIGHUP).
    public func reload(factory: WriterFactory) async throws {
        let next = try factory.makeWriter(Record.self, json: json) ?? DisabledWriter<Record>()
        await writer.swap(to: next)
    }

    /// Writes everything queued, then closes the writer.
    public func shutdown(until deadline: ContinuousClock.Instant) async throws {
        do {
            try await pipeline.drain(until: deadline)
        } catch {
            try? await writer.close()
            throw error
        }
        try await writer.close()
    }

    /// `price_history→sqlite+postgres`
    public var summary: String { "\(Record.dataset)→\(writer.name)" }
}

/// The writer of a dataset that is not written at the service's current stage: it accepts and
/// discards, and says so in its name.
public struct DisabledWriter<Record: StorableRecord>: Writer {
    public init() {}
    public var name: String { "off" }
    public func write(_ batch: [Record]) async throws {}
    public func flush() async throws {}
    public func close() async throws {}
    public func status() async -> WriterStatus { WriterStatus(name: name) }
}
