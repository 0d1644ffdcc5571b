import Foundation
import Logging
import ServiceKit
import StorageKit

/// `recioctl verify`: the migration's verification checklist as five automated checks.
///
/// 1. `runtime_config` — no service's effective config names a legacy store (a legacy writer, or
///    the SQLite reader), the config validates as `--check-config` does, and, when daemon
///    binaries are given, each one's `--check-config` passes.
/// 2. `price_continuity` — PostgreSQL price history has a row for every second of the window;
///    gaps are listed as ranges with the coverage percentage.
/// 3. `snapshot_export` — hourly counts of the market snapshot table equal those of the JSON
///    archive export (read by `MarketSnapshotExport`, as `backfill snapshots` reads it). SKIP while
///    the table does not exist or the export is off.
/// 4. `ingest_postgres_only` — historical ingest writes PostgreSQL only, and no legacy file of it
///    (`fills.json`, `settlements.json`, `positions*.json`) was modified after the cutover time.
/// 5. `no_legacy_files` — no legacy `.db`/`.json` file (or SQLite `-wal`/`-shm`) remains in the
///    runtime paths.
public struct MigrationVerifier: Sendable {
    public struct Options: Sendable {
        public var config: ServicesConfig
        /// Used instead of the config's PostgreSQL settings when set (tests, ad-hoc runs).
        public var postgresOverride: PostgresConfiguration?
        /// Continuity window, UTC epoch seconds `[from, to)`.
        public var continuityFrom: Int64
        public var continuityTo: Int64
        /// Legacy ingest files modified after this are a failure; `nil` skips that part.
        public var cutover: Int64?
        /// Extra folders to inspect for legacy files (besides those the config names).
        public var runtimePaths: [String]
        /// Where the daemon executables are, to run their `--check-config`; `nil` skips that part.
        public var daemonBinDirectory: String?
        /// Where check 3 reads the JSON archive export instead of `kalshi_api_watchdog`'s `json_dir`
        /// (after `archive`, the archived export restored with `archive --restore … --into DIR`).
        public var snapshotExportDirectory: String?
        /// The snapshot table and its timestamp column.
        public var snapshotTable = "market_snapshots"
        public var snapshotColumn = "ts"
        /// Most gaps listed.
        public var gapListLimit = 20

        public init(config: ServicesConfig, continuityFrom: Int64, continuityTo: Int64, cutover: Int64? = nil,
                    runtimePaths: [String] = [], daemonBinDirectory: String? = nil, postgresOverride: PostgresConfiguration? = nil) {
            self.config = config
            self.continuityFrom = continuityFrom
            self.continuityTo = continuityTo
            self.cutover = cutover
            self.runtimePaths = runtimePaths
            self.daemonBinDirectory = daemonBinDirectory
            self.postgresOverride = postgresOverride
        }
    }

    public let options: Options
    private let logger: Logger
    private let environment: [String: String]

    public init(options: Options, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.options = options
        self.logger = logger
        self.environment = environment
    }

    /// The PostgreSQL settings the checks use.
    func postgresConfiguration() throws -> PostgresConfiguration {
        if let override = options.postgresOverride { return override }
        let settings = options.config.postgres
        return PostgresConfiguration(connectionString: settings.conninfo, password: try settings.resolvePassword(environment: environment),
                                     applicationName: "recioctl", connectTimeout: .seconds(settings.connectTimeoutSeconds))
    }

    public func run() async -> VerificationReport {
        var checks = [runtimeConfig()]
        let schema = try? PostgresIdentifier(options.config.postgres.schema)
        do {
            let connection = PostgresConnection(configuration: try postgresConfiguration(), logger: logger)
            checks.append(await continuity(connection, schema: schema))
            checks.append(await snapshotExport(connection, schema: schema))
            await connection.close()
        } catch {
            checks.append(.init(number: 2, id: "price_continuity", title: "PostgreSQL price history is continuous at 1 s", status: .fail,
                                evidence: ["cannot use PostgreSQL: \(error)"]))
            checks.append(.init(number: 3, id: "snapshot_export", title: "market snapshot table matches the JSON export", status: .fail,
                                evidence: ["cannot use PostgreSQL: \(error)"]))
        }
        checks.append(ingestPostgresOnly())
        checks.append(noLegacyFiles())
        return VerificationReport(checks: checks)
    }

    // MARK: 1

    func runtimeConfig() -> VerificationReport.Check {
        var evidence = ["config \(options.config.file) is valid"]
        var failed = false
        for name in ServiceName.allCases {
            let service = options.config.service(name)
            let legacy = service.writers.filter(\.isLegacy)
            var line = "\(name.rawValue): writers \(service.writers.map(\.rawValue).joined(separator: "+")), primary \(service.primary.rawValue)"
            if let reader = service.reader { line += ", reads \(reader.rawValue)" }
            if !legacy.isEmpty || service.reader == .sqlite {
                failed = true
                var stores: [String] = []
                if legacy.contains(.sqlite) || service.reader == .sqlite { stores.append("SQLite \(service.sqlitePath ?? "?")") }
                if legacy.contains(.json) { stores.append("JSON \(service.jsonDirectory ?? "?")") }
                line += " — names legacy store(s): \(stores.joined(separator: ", "))"
            }
            evidence.append(line)
        }
        if let bin = options.daemonBinDirectory {
            for name in ServiceName.allCases {
                let executable = bin + "/" + name.executableName
                let (status, output) = Self.runProcess(executable, ["--check-config", "--config", options.config.file])
                if status == 0 {
                    evidence.append("\(name.executableName) --check-config: OK")
                } else {
                    failed = true
                    evidence.append("\(name.executableName) --check-config exited \(status): \(output.prefix(300))")
                }
            }
        } else {
            evidence.append("daemon --check-config not run (no --bin-dir given); config validated in-process")
        }
        return .init(number: 1, id: "runtime_config", title: "every service starts without legacy SQLite/JSON files",
                     status: failed ? .fail : .pass, evidence: evidence)
    }

    // MARK: 2

    /// A run of missing seconds, inclusive.
    public struct Gap: Sendable, Equatable {
        public var first: Int64
        public var last: Int64
        public var seconds: Int64 { last - first + 1 }
    }

    func continuity(_ connection: PostgresConnection, schema: PostgresIdentifier?) async -> VerificationReport.Check {
        let title = "PostgreSQL price history is continuous at 1 s"
        let from = options.continuityFrom, to = options.continuityTo
        guard let schema, to > from else {
            return .init(number: 2, id: "price_continuity", title: title, status: .fail, evidence: ["empty window or invalid schema"])
        }
        do {
            let table = PostgresIdentifier.qualified(schema, try PostgresIdentifier("price_history"))
            let window = [String(from), String(to)]
            let result = try await connection.withReconnect("continuity") { conn -> (Int, [[String?]]) in
                let count = try conn.query("""
                    SELECT count(*) FROM \(table) WHERE ts >= to_timestamp($1::double precision) AND ts < to_timestamp($2::double precision)
                    """, window).scalar.flatMap { Int($0) } ?? 0
                // Gaps between consecutive rows, plus the window's edges as sentinels.
                let gaps = try conn.query("""
                    SELECT (prev + 1)::text, (e - 1)::text FROM (
                        SELECT e, lag(e) OVER (ORDER BY e) AS prev FROM (
                            SELECT extract(epoch FROM ts)::bigint AS e FROM \(table)
                            WHERE ts >= to_timestamp($1::double precision) AND ts < to_timestamp($2::double precision)
                            UNION ALL SELECT $1::bigint - 1 UNION ALL SELECT $2::bigint
                        ) AS x
                    ) AS y WHERE e - prev > 1 ORDER BY e
                    """, window).rows
                return (count, gaps)
            }
            let gaps = result.1.compactMap { row -> Gap? in
                guard let a = row[0].flatMap({ Int64($0) }), let b = row[1].flatMap({ Int64($0) }) else { return nil }
                return Gap(first: a, last: b)
            }
            let span = to - from
            let coverage = Double(result.0) / Double(span) * 100
            var evidence = [
                "window \(TimeArgument.format(from)) … \(TimeArgument.format(to)) (\(span) s): \(result.0) rows, coverage "
                    + String(format: "%.4f%%", coverage) + ", \(gaps.count) gap(s), \(gaps.reduce(0) { $0 + $1.seconds }) missing second(s)",
            ]
            for gap in gaps.prefix(options.gapListLimit) {
                evidence.append("gap \(TimeArgument.format(gap.first)) … \(TimeArgument.format(gap.last)) (\(gap.seconds) s)")
            }
            if gaps.count > options.gapListLimit { evidence.append("… \(gaps.count - options.gapListLimit) more gap(s)") }
            return .init(number: 2, id: "price_continuity", title: title, status: gaps.isEmpty ? .pass : .fail, evidence: evidence)
        } catch {
            return .init(number: 2, id: "price_continuity", title: title, status: .fail, evidence: ["query failed: \(error)"])
        }
    }

    // MARK: 3

    func snapshotExport(_ connection: PostgresConnection, schema: PostgresIdentifier?) async -> VerificationReport.Check {
        let title = "market snapshot table matches the JSON export frequency"
        let kalshi = options.config.service(.kalshiAPIWatchdog)
        do {
            guard let schema else { throw MigrationError(.invalidArgument, subject: "postgres.schema", "invalid") }
            let table = try PostgresIdentifier(options.snapshotTable)
            let column = try PostgresIdentifier(options.snapshotColumn)
            let qualified = PostgresIdentifier.qualified(schema, table)
            let exists = try await connection.withReconnect("snapshot table") { conn in
                try conn.query("SELECT to_regclass($1) IS NOT NULL", [qualified]).scalar == "t"
            }
            guard exists else {
                return .init(number: 3, id: "snapshot_export", title: title, status: .skip,
                             evidence: ["not applicable yet: \(qualified) does not exist (market snapshots are not stored in PostgreSQL at this version)"])
            }
            let directory: String
            if let override = options.snapshotExportDirectory {
                directory = override
            } else {
                guard kalshi.jsonArchive, let configured = kalshi.jsonDirectory else {
                    return .init(number: 3, id: "snapshot_export", title: title, status: .skip,
                                 evidence: ["the JSON archive export is not enabled for kalshi_api_watchdog"])
                }
                directory = configured
            }
            // The same reader as `backfill snapshots`: decoded records by their capture hour.
            let export = try await MarketSnapshotExport(directory: directory).hourlyCounts()
            let exported = export.counts
            guard let first = exported.keys.min(), let newest = export.last else {
                return .init(number: 3, id: "snapshot_export", title: title, status: .skip, evidence: ["no archive files in \(directory)"])
            }
            // Up to the export's newest record: once the JSON writer is dropped the export stops and
            // the table goes on, so the rest of that hour is the table's alone.
            let stored = try await connection.withReconnect("snapshot counts") { conn in
                try conn.query("""
                    SELECT (extract(epoch FROM \(column.quoted))::bigint / 3600 * 3600)::text AS hour, count(*)::text FROM \(qualified)
                    WHERE \(column.quoted) >= to_timestamp($1::double precision) AND \(column.quoted) < to_timestamp($2::double precision)
                    GROUP BY 1
                    """, [String(first), String(newest + 1)]).rows
            }
            var table2: [Int64: Int] = [:]
            for row in stored { if let h = row[0].flatMap({ Int64($0) }), let n = row[1].flatMap({ Int($0) }) { table2[h] = n } }
            let differing = HourlyCounts.differences(exported, table2)
            var evidence = ["\(directory): \(exported.count) archive hour(s) \(TimeArgument.format(first)) … \(TimeArgument.format(newest)) "
                                + "(the newest exported record); \(differing.count) differ"]
            for (hour, e, t) in differing.prefix(20) { evidence.append("\(TimeArgument.format(hour)): export \(e), table \(t)") }
            return .init(number: 3, id: "snapshot_export", title: title, status: differing.isEmpty ? .pass : .fail, evidence: evidence)
        } catch {
            return .init(number: 3, id: "snapshot_export", title: title, status: .fail, evidence: ["\(error)"])
        }
    }

    // MARK: 4

    /// File names the legacy historical ingest wrote.
    static func isLegacyIngestFile(_ name: String) -> Bool {
        name == "fills.json" || name == "settlements.json" || (name.hasPrefix("positions") && name.hasSuffix(".json"))
    }

    func ingestPostgresOnly() -> VerificationReport.Check {
        let title = "historical ingest writes PostgreSQL only"
        let ingest = options.config.service(.kalshiHistoricalIngest)
        var evidence = ["kalshi_historical_ingest: writers \(ingest.writers.map(\.rawValue).joined(separator: "+")), primary \(ingest.primary.rawValue)"]
        var failed = ingest.writers != [.postgres]
        if failed { evidence.append("its config still names a legacy store") }
        if let cutover = options.cutover {
            var found = 0
            for directory in runtimeDirectories() {
                for (path, modified) in Self.files(in: directory) where Self.isLegacyIngestFile((path as NSString).lastPathComponent) {
                    found += 1
                    if modified > cutover {
                        failed = true
                        evidence.append("\(path) modified \(TimeArgument.format(modified)), after the cutover \(TimeArgument.format(cutover))")
                    } else {
                        evidence.append("\(path) last modified \(TimeArgument.format(modified)), before the cutover")
                    }
                }
            }
            if found == 0 { evidence.append("no legacy ingest file (fills.json, settlements.json, positions*.json) in the runtime paths") }
        } else {
            evidence.append("no --cutover given: legacy file modification times not checked")
        }
        return .init(number: 4, id: "ingest_postgres_only", title: title, status: failed ? .fail : .pass, evidence: evidence)
    }

    // MARK: 5

    static func isLegacyFile(_ name: String) -> Bool {
        [".db", ".db-wal", ".db-shm", ".db-journal", ".json"].contains { name.hasSuffix($0) }
    }

    func noLegacyFiles() -> VerificationReport.Check {
        let title = "no legacy .db/.json file remains in the runtime paths"
        let directories = runtimeDirectories()
        guard !directories.isEmpty else {
            return .init(number: 5, id: "no_legacy_files", title: title, status: .skip,
                         evidence: ["no runtime path named in the config and none given (--runtime-path)"])
        }
        let configPath = URL(fileURLWithPath: options.config.file).standardizedFileURL.path
        var evidence = ["inspected: \(directories.joined(separator: ", "))"]
        var leftovers: [String] = []
        for directory in directories {
            for (path, _) in Self.files(in: directory) where Self.isLegacyFile((path as NSString).lastPathComponent) && path != configPath {
                leftovers.append(path)
            }
        }
        evidence += leftovers.sorted().map { "legacy file present: \($0)" }
        if leftovers.isEmpty { evidence.append("no legacy file found") }
        return .init(number: 5, id: "no_legacy_files", title: title, status: leftovers.isEmpty ? .pass : .fail, evidence: evidence)
    }

    /// The folders the config names for legacy stores, plus the given ones (existing ones only, deduplicated).
    func runtimeDirectories() -> [String] {
        var directories: [String] = []
        for service in options.config.services.values {
            if let path = service.sqlitePath { directories.append((path as NSString).deletingLastPathComponent) }
            if let dir = service.jsonDirectory { directories.append(dir) }
        }
        directories += options.runtimePaths
        var seen = Set<String>()
        return directories.map { URL(fileURLWithPath: $0).standardizedFileURL.path }.filter { seen.insert($0).inserted }.sorted()
    }

    /// Regular files directly in `directory` and one level below, with modification times.
    static func files(in directory: String) -> [(String, Int64)] {
        let fm = FileManager.default
        var out: [(String, Int64)] = []
        func visit(_ dir: String, depth: Int) {
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { return }
            for name in names.sorted() {
                let path = dir + "/" + name
                guard let attributes = try? fm.attributesOfItem(atPath: path) else { continue }
                if attributes[.type] as? FileAttributeType == .typeDirectory {
                    if depth < 1 { visit(path, depth: depth + 1) }
                } else if let date = attributes[.modificationDate] as? Date {
                    out.append((path, Int64(date.timeIntervalSince1970)))
                }
            }
        }
        visit(directory, depth: 0)
        return out
    }

    static func runProcess(_ executable: String, _ arguments: [String]) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return (-1, "cannot run \(executable): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Rows per UTC hour, for comparing a table with the JSON archive export.
enum HourlyCounts {
    static func differences(_ a: [Int64: Int], _ b: [Int64: Int]) -> [(Int64, Int, Int)] {
        Set(a.keys).union(b.keys).sorted().compactMap { hour in
            let x = a[hour] ?? 0, y = b[hour] ?? 0
            return x == y ? nil : (hour, x, y)
        }
    }
}
