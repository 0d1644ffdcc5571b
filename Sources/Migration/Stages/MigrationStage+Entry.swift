import ServiceKit

extension MigrationStage {
    /// The stage a `services.json` entry is at. PostgreSQL not written (and not read): `legacy`;
    /// both written: `dual-…` after the primary; PostgreSQL only: `postgres`, unless the service
    /// still reads the legacy file (live-data-analysis with `reader: sqlite`), which is
    /// `dual-legacy-primary`. Throws when the entry mixes stages (say, PostgreSQL primary but
    /// reading the legacy file), naming what disagrees.
    public init(entry: ServiceConfig) throws {
        let writesPostgres = entry.writers.contains(.postgres)
        let writesLegacy = entry.writers.contains(where: \.isLegacy)
        let stage: MigrationStage
        switch (writesLegacy, writesPostgres) {
        case (true, false): stage = .legacy
        case (true, true): stage = entry.primary.isLegacy ? .dualLegacyPrimary : .dualPostgresPrimary
        default: stage = entry.reader == .sqlite ? .dualLegacyPrimary : .postgres
        }
        if let reader = entry.reader, writesLegacy, (reader == .sqlite) != stage.readsLegacy {
            throw StageError(.inconsistentEntry, service: entry.name,
                "writers and primary say \(stage.rawValue) but the reader is \(reader.rawValue) "
                    + "(at \(stage.rawValue) it reads \(stage.readsLegacy ? "sqlite" : "postgres")); fix the entry by hand")
        }
        self = stage
    }
}
