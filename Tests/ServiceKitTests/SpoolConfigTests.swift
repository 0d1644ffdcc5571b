import Foundation
import StorageKit
import Testing
@testable import ServiceKit

/// `spool_dir` and `spool_max_bytes`: parsed strictly, and every store of a service put behind its
/// own spool folder (`<spool_dir>/<service>/<dataset>.<store>`) only when a spool is configured.
@Suite struct SpoolConfigTests {
    static func document(spool: [String: Any]) -> [String: Any] {
        var doc = ServicesConfigTests.validDocument()
        for (key, value) in spool { doc[key] = value }
        return doc
    }

    @Test func readsTheSpoolSettingsAndNamesOneFolderPerServiceDatasetAndStore() throws {
        let config = try ServicesConfigTests.parse(Self.document(spool: ["spool_dir": "/var/lib/recio/spool", "spool_max_bytes": 1_048_576]))
        #expect(config.spoolDirectory == "/var/lib/recio/spool")
        #expect(config.spoolMaxBytes == 1_048_576)
        let factory = WriterFactory(config: config, service: .kalshiHistoricalIngest, logger: quietLogger(), environment: [:])
        #expect(factory.spoolDirectory(for: PriceTick.self, kind: .postgres) == "/var/lib/recio/spool/kalshi_historical_ingest/price_history.postgres")
        let writer = try #require(try factory.makeWriter(PriceTick.self))
        #expect(writer is SpoolingWriter<PriceTick>)

        let plain = try ServicesConfigTests.parse(ServicesConfigTests.validDocument())
        #expect(plain.spoolMaxBytes == ServicesConfig.defaultSpoolMaxBytes)
        let unspooled = try #require(try WriterFactory(config: plain, service: .kalshiHistoricalIngest, logger: quietLogger(), environment: [:])
            .makeWriter(PriceTick.self))
        #expect(unspooled is PostgresWriter<PriceTick>)
    }

    @Test func rejectsABadLimitOrARelativeFolder() {
        ServicesConfigTests.expectError(Self.document(spool: ["spool_dir": "/var/lib/recio/spool", "spool_max_bytes": 10]),
                                        code: .invalidValue, path: "$.spool_max_bytes", mentioning: ["4096"])
        ServicesConfigTests.expectError(Self.document(spool: ["spool_max_bytes": "1G"]),
                                        code: .wrongType, path: "$.spool_max_bytes", mentioning: ["integer"])
        ServicesConfigTests.expectError(Self.document(spool: ["spool_dir": "spool"]),
                                        code: .invalidValue, path: "$.spool_dir", mentioning: ["absolute"])
    }
}
