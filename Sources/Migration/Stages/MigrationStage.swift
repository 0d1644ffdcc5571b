import ServiceKit

/// Where one service is in the move from the legacy stores to PostgreSQL. Derived from its
/// `services.json` entry every time (`MigrationStage(entry:)`), never stored anywhere else.
public enum MigrationStage: String, Sendable, CaseIterable, Codable, Comparable {
    /// Legacy writers only.
    case legacy
    /// Legacy primary, PostgreSQL shadow.
    case dualLegacyPrimary = "dual-legacy-primary"
    /// PostgreSQL primary, legacy shadow (kept for the rollback month).
    case dualPostgresPrimary = "dual-postgres-primary"
    /// PostgreSQL only.
    case postgres

    /// Whether both kinds of store are written (leaving such a stage needs parity and the minimum dual time).
    public var isDual: Bool { self == .dualLegacyPrimary || self == .dualPostgresPrimary }

    /// The following stage, if any.
    public var next: MigrationStage? {
        let all = Self.allCases
        let index = all.firstIndex(of: self)!
        return index + 1 < all.count ? all[index + 1] : nil
    }

    /// The preceding stage, if any.
    public var previous: MigrationStage? {
        let all = Self.allCases
        let index = all.firstIndex(of: self)!
        return index > 0 ? all[index - 1] : nil
    }

    /// Whether the service reads price history from the legacy file at this stage (the reader
    /// follows the primary: live-data-analysis flips its reader when PostgreSQL becomes primary).
    public var readsLegacy: Bool { self == .legacy || self == .dualLegacyPrimary }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
