import Foundation
import ServiceKit

/// What `services.json` says about the legacy stores: which paths it names (what a backup takes by
/// default) and which services still write or read a given file (what an archive refuses).
public struct LegacyStoreUsage: Sendable {
    public let config: ServicesConfig

    public init(config: ServicesConfig) {
        self.config = config
    }

    /// Every legacy SQLite file and JSON folder the config names, standardised, deduplicated.
    public var namedPaths: [String] {
        var paths: [String] = []
        for name in ServiceName.allCases {
            let service = config.service(name)
            if let path = service.sqlitePath { paths.append(path) }
            if let dir = service.jsonDirectory { paths.append(dir) }
        }
        var seen = Set<String>()
        return paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }.filter { seen.insert($0).inserted }
    }

    /// Why `file` is still in use according to the config (empty when no service writes or reads it).
    public func users(of file: LegacyFile) -> [String] {
        var reasons: [String] = []
        let folder = (file.path as NSString).deletingLastPathComponent
        for name in ServiceName.allCases {
            let service = config.service(name)
            let stores = service.writers.map(\.rawValue).joined(separator: "+")
            if file.kind == .sqlite, let path = service.sqlitePath, Self.standard(path) == file.path {
                if service.writers.contains(.sqlite) {
                    reasons.append("\(name.rawValue) still writes it (writers \(stores) in \(config.file))")
                }
                if service.reader == .sqlite {
                    reasons.append("\(name.rawValue) still reads it (reader sqlite in \(config.file))")
                }
            }
            if file.kind != .sqlite, service.writers.contains(.json), let dir = service.jsonDirectory, Self.standard(dir) == folder {
                reasons.append("\(name.rawValue) still writes JSON files in \(folder) (writers \(stores) in \(config.file))")
            }
        }
        return reasons
    }

    static func standard(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
