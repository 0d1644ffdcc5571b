import Foundation

/// The whole `services.json`: PostgreSQL settings and one entry per daemon. Loading is strict:
/// unknown keys, missing keys, wrong types, unknown writer names, a primary that is not a writer and
/// relative paths are all errors naming the file and the JSON path.
public struct ServicesConfig: Sendable, Equatable {
    public var file: String
    public var postgres: PostgresSettings
    /// Folder for durable spools (backlogs a store could not take yet).
    public var spoolDirectory: String?
    public var services: [ServiceName: ServiceConfig]
    /// The most bytes one spool (one writer and dataset) may hold on disk (`spool_max_bytes`;
    /// default 1 GiB). Reaching it is logged as an error and fails the health check.
    public var spoolMaxBytes: Int64 = ServicesConfig.defaultSpoolMaxBytes

    /// 1 GiB: weeks of price history at one row a second.
    public static let defaultSpoolMaxBytes: Int64 = 1 << 30

    /// The entry of one service (every service is present after a successful load).
    public func service(_ name: ServiceName) -> ServiceConfig { services[name]! }

    /// Reads and validates a config file.
    public static func load(path: String) throws -> ServicesConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(.unreadable, file: path, path: "$", "cannot read the file (does it exist, and may this user read it?)")
        }
        return try parse(data, file: path)
    }

    /// Validates a config document; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> ServicesConfig {
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            throw ConfigError(.syntax, file: file, path: "$", "not valid JSON: \(Self.describe(error))")
        }
        let root = ConfigNode(value: value, file: file)
        let postgres = try PostgresSettings.parse(try root.required("postgres"))
        let spool = try root.optional("spool_dir")?.absolutePath()
        let spoolMaxBytes = try root.optional("spool_max_bytes")?.integer(in: 4096...(1 << 50)) ?? defaultSpoolMaxBytes
        let servicesNode = try root.required("services")
        var services: [ServiceName: ServiceConfig] = [:]
        for (key, node) in try servicesNode.members() {
            guard let name = ServiceName(rawValue: key) else {
                let known = ServiceName.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw node.error(.unknownKey, "unknown service \"\(key)\" (known: \(known))")
            }
            services[name] = try ServiceConfig.parse(node, name: name)
        }
        for name in ServiceName.allCases where services[name] == nil {
            _ = try servicesNode.required(name.rawValue)
        }
        try root.finish()
        return ServicesConfig(file: file, postgres: postgres, spoolDirectory: spool, services: services, spoolMaxBytes: spoolMaxBytes)
    }

    private static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return String(describing: error)
    }
}
