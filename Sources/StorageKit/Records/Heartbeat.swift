import Foundation

/// "This daemon was alive and recording at this second." One per tick or poll.
public struct Heartbeat: StorableRecord, Codable, Hashable {
    /// The service name as in `services.json` (`btc_price_watchdog`).
    public var service: String
    /// UTC epoch second.
    public var second: Int64
    /// A short human summary (`ok`, `stale feed`).
    public var detail: String

    public init(service: String, second: Int64, detail: String = "alive") {
        self.service = service
        self.second = second
        self.detail = detail
    }

    public static let dataset = "heartbeats"
    public var naturalKey: String { "\(service)|\(second)" }

    public func validate() throws {
        guard !service.isEmpty else {
            throw StorageError(.invalidRecord, subject: Self.dataset, "heartbeat without a service name")
        }
    }

    public static var postgres: PostgresMapping<Heartbeat>? {
        PostgresMapping(
            table: "heartbeats",
            columns: ["service", "ts", "detail"],
            conflictColumns: ["service", "ts"],
            onConflict: .updateAll,
            encode: { [$0.service, UTCTime.postgresText(epochSeconds: $0.second), $0.detail] },
            decode: { row in
                guard row.count == 3, let service = row[0], let ts = row[1].flatMap(UTCTime.parseEpochSeconds) else {
                    throw StorageError(.corruptData, subject: dataset, "undecodable heartbeats row \(row)")
                }
                return Heartbeat(service: service, second: ts, detail: row[2] ?? "")
            }
        )
    }

    /// The legacy heartbeat text files, overwritten every tick, and an archive of all heartbeats.
    public static var json: JSONMapping<Heartbeat>? {
        JSONMapping(
            latest: .init(
                fileName: { LegacyHeartbeatFile.fileName(service: $0.service) },
                contents: { Data(LegacyHeartbeatFile.contents($0).utf8) }
            ),
            archive: .codable(stream: "heartbeats", epochSeconds: { $0.second })
        )
    }
}

/// The legacy heartbeat file names and line formats.
public enum LegacyHeartbeatFile {
    public static func fileName(service: String) -> String {
        switch service {
        case "btc_price_watchdog": return "btc_logger_heartbeat.txt"
        case "kalshi_api_watchdog": return "kalshi_logger_heartbeat.txt"
        default: return "\(service)_heartbeat.txt"
        }
    }

    /// `btc_logger_heartbeat.txt`: `"{NY local %Y-%m-%dT%H:%M:%S} BTC logger alive\n"`;
    /// `kalshi_logger_heartbeat.txt`: `"{ISO-8601 with offset} Kalshi logger alive\n"`.
    public static func contents(_ beat: Heartbeat) -> String {
        switch beat.service {
        case "btc_price_watchdog": return "\(NewYorkTime.legacyText(epochSeconds: beat.second)) BTC logger alive\n"
        case "kalshi_api_watchdog": return "\(NewYorkTime.iso8601WithOffset(epochSeconds: beat.second)) Kalshi logger alive\n"
        default: return "\(UTCTime.iso8601(epochSeconds: beat.second)) \(beat.service) \(beat.detail)\n"
        }
    }
}
