import ServiceKit

/// The part of a service's entry a stage decides: the writers, the primary and (live-data-analysis)
/// the reader. `MigrationStage(entry:)` reads a stage from it; `StageLayout(entry:stage:)` computes
/// the layout of another stage for the same entry, keeping its legacy paths.
public struct StageLayout: Sendable, Equatable, CustomStringConvertible {
    public var writers: [WriterKind]
    public var primary: WriterKind
    public var reader: WriterKind?

    public init(writers: [WriterKind], primary: WriterKind, reader: WriterKind?) {
        self.writers = writers
        self.primary = primary
        self.reader = reader
    }

    /// The entry's current layout.
    public init(_ entry: ServiceConfig) {
        self.init(writers: entry.writers, primary: entry.primary, reader: entry.reader)
    }

    public var description: String {
        "writers [\(writers.map(\.rawValue).joined(separator: ", "))], primary \(primary.rawValue)"
            + (reader.map { ", reader \($0.rawValue)" } ?? "")
    }

    /// The legacy writers an entry has, or would have back after a rollback: those listed, else
    /// those whose paths the entry still carries (`sqlite_path` for the price watchdog's legacy
    /// `price_log`, `json_dir` for the JSON files). Live-data-analysis' `sqlite_path` is its
    /// reader's file, not a writer.
    public static func legacyWriters(of entry: ServiceConfig) -> [WriterKind] {
        let listed = entry.writers.filter(\.isLegacy)
        if !listed.isEmpty { return listed }
        var kinds: [WriterKind] = []
        if entry.name == .btcPriceWatchdog, entry.sqlitePath != nil { kinds.append(.sqlite) }
        if entry.jsonDirectory != nil { kinds.append(.json) }
        return kinds
    }

    /// The stages this entry can express. With no legacy writer (live-data-analysis writing
    /// PostgreSQL only but reading the legacy file; the historical ingest), the only stages are
    /// "reads legacy" (`dual-legacy-primary`) and `postgres`. The historical ingest keeps
    /// PostgreSQL primary (its daemon refuses a legacy primary): its legacy JSON files are only
    /// ever a shadow, `dual-postgres-primary`.
    public static func stages(of entry: ServiceConfig) -> [MigrationStage] {
        if entry.name == .kalshiHistoricalIngest {
            return legacyWriters(of: entry).isEmpty ? [.postgres] : [.dualPostgresPrimary, .postgres]
        }
        if !legacyWriters(of: entry).isEmpty { return MigrationStage.allCases }
        return entry.reader != nil ? [.dualLegacyPrimary, .postgres] : [.postgres]
    }

    /// The layout of `stage` for this entry; `nil` when the entry cannot express it.
    public init?(entry: ServiceConfig, stage: MigrationStage) {
        guard Self.stages(of: entry).contains(stage) else { return nil }
        let legacy = Self.legacyWriters(of: entry)
        // The legacy primary: the configured one when legacy, else the first legacy writer.
        let legacyPrimary = entry.primary.isLegacy ? entry.primary : legacy.first
        let reader: WriterKind? = entry.reader.map { _ in stage.readsLegacy ? .sqlite : .postgres }
        switch stage {
        case .legacy:
            self.init(writers: legacy, primary: legacyPrimary!, reader: reader)
        case .dualLegacyPrimary:
            if legacy.isEmpty {
                self.init(writers: [.postgres], primary: .postgres, reader: reader)
            } else {
                self.init(writers: Self.merged(entry.writers, legacy), primary: legacyPrimary!, reader: reader)
            }
        case .dualPostgresPrimary:
            self.init(writers: Self.merged(entry.writers, legacy), primary: .postgres, reader: reader)
        case .postgres:
            self.init(writers: [.postgres], primary: .postgres, reader: reader)
        }
    }

    /// The current writers in their order, plus the missing legacy ones and PostgreSQL appended.
    private static func merged(_ current: [WriterKind], _ legacy: [WriterKind]) -> [WriterKind] {
        var writers = current
        for kind in legacy + [.postgres] where !writers.contains(kind) { writers.append(kind) }
        return writers
    }
}
