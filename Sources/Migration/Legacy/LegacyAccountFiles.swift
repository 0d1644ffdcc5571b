import Foundation
import StorageKit

/// The legacy `kalshi_historical_ingest.py` account files in one folder: `fills.json`
/// (`{"fills": [...]}`), `settlements.json` (`{"settlements": [...]}`) and, where present,
/// `positions.json` (`{"market_positions": [...]}` as the API answers, or `{"positions": [...]}`).
/// Every present file is parsed completely before anything is written, so a corrupt or non-JSON
/// file is an error naming the file and nothing is loaded.
public struct LegacyAccountFiles: Sendable {
    /// The items of one file, and the file.
    public struct Items: Sendable {
        public var path: String
        public var items: [OrderedJSON]
        /// The file's modification time (UTC epoch seconds), the snapshot time of positions.
        public var modified: Int64
    }

    public var fills: Items?
    public var settlements: Items?
    public var positions: Items?

    public init(directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MigrationError(.invalidSource, subject: directory, "not a folder (expected the legacy folder with fills.json, settlements.json)")
        }
        fills = try Self.read(directory, "fills.json", keys: ["fills"])
        settlements = try Self.read(directory, "settlements.json", keys: ["settlements"])
        positions = try Self.read(directory, "positions.json", keys: ["market_positions", "positions"])
        guard fills != nil || settlements != nil || positions != nil else {
            throw MigrationError(.invalidSource, subject: directory, "none of fills.json, settlements.json, positions.json is there")
        }
    }

    static func read(_ directory: String, _ name: String, keys: [String]) throws -> Items? {
        let path = (directory as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MigrationError(.io, subject: path, "cannot read the file")
        }
        let document: OrderedJSON
        do {
            document = try OrderedJSON.parse(data)
        } catch {
            throw MigrationError(.invalidSource, subject: path, "not valid JSON (\(error)); nothing was loaded")
        }
        guard let key = keys.first(where: { document[$0] != nil }), let items = document[key]?.arrayValue else {
            throw MigrationError(.invalidSource, subject: path,
                                 "expected an object with a \(keys.map { "\"\($0)\"" }.joined(separator: " or ")) array; nothing was loaded")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = (attributes?[.modificationDate] as? Date).map { Int64($0.timeIntervalSince1970) } ?? Int64(Date().timeIntervalSince1970)
        return Items(path: path, items: items, modified: modified)
    }
}
