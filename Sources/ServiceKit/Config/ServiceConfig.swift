/// One service's entry in `services.json`: which stores it writes, which one is primary, which
/// store it reads (the analysis daemon), where the legacy files are, and its own options.
public struct ServiceConfig: Sendable, Equatable {
    public var name: ServiceName
    /// The stores written, in config order.
    public var writers: [WriterKind]
    /// The store whose success makes a write succeed; the others are shadows.
    public var primary: WriterKind
    /// The store the service reads price history from (live-data-analysis only).
    public var reader: WriterKind?
    /// The legacy SQLite file (required when `sqlite` is written or read).
    public var sqlitePath: String?
    /// The folder for legacy JSON/text files and archive exports (required when `json` is written).
    public var jsonDirectory: String?
    /// Whether the JSON writer also keeps the append-only archive export.
    public var jsonArchive: Bool
    /// Service-specific settings, validated by the service's own options type.
    public var options: JSONValue

    /// Shadows: the writers other than the primary.
    public var shadows: [WriterKind] { writers.filter { $0 != primary } }

    static func parse(_ node: ConfigNode, name: ServiceName) throws -> ServiceConfig {
        let writersNode = try node.required("writers")
        let items = try writersNode.array()
        guard !items.isEmpty else { throw writersNode.error(.invalidValue, "expected at least one writer") }
        var writers: [WriterKind] = []
        for item in items {
            let kind = try item.oneOf(WriterKind.self)
            guard !writers.contains(kind) else { throw item.error(.invalidValue, "writer \"\(kind.rawValue)\" listed twice") }
            writers.append(kind)
        }
        let primaryNode = try node.required("primary")
        let primary = try primaryNode.oneOf(WriterKind.self)
        guard writers.contains(primary) else {
            throw primaryNode.error(.invalidValue,
                "primary \"\(primary.rawValue)\" is not among the writers [\(writers.map(\.rawValue).joined(separator: ", "))]")
        }
        var reader: WriterKind?
        if let readerNode = try node.optional("reader") {
            guard name == .liveDataAnalysis else {
                throw readerNode.error(.unknownKey, "only live_data_analysis reads price history; remove \"reader\"")
            }
            let kind = try readerNode.oneOf(WriterKind.self)
            guard kind != .json else { throw readerNode.error(.invalidValue, "price history is read from \"sqlite\" or \"postgres\", not \"json\"") }
            reader = kind
        } else if name == .liveDataAnalysis {
            _ = try node.required("reader")
        }
        let sqlitePath = try node.optional("sqlite_path")?.absolutePath()
        if sqlitePath == nil, writers.contains(.sqlite) || reader == .sqlite {
            _ = try node.required("sqlite_path")
        }
        let jsonDirectory = try node.optional("json_dir")?.absolutePath()
        if jsonDirectory == nil, writers.contains(.json) {
            _ = try node.required("json_dir")
        }
        let jsonArchive = try node.optional("json_archive")?.bool() ?? false
        let options = try node.optional("options")
        if let options { _ = try options.members() }  // must be an object; its keys are checked by the service
        try node.finish()
        return ServiceConfig(name: name, writers: writers, primary: primary, reader: reader, sqlitePath: sqlitePath,
                             jsonDirectory: jsonDirectory, jsonArchive: jsonArchive, options: options?.value ?? .object([:]))
    }
}
