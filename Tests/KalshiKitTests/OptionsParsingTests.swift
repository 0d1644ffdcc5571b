import Foundation
import Testing
import ServiceKit
@testable import KalshiKit

/// The fields both Kalshi daemons read alike (`base_url`, `series`) give the same errors, each
/// naming the file and the JSON path of its own service.
struct OptionsParsingTests {
    static func value(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

    static func watchdogError(_ text: String) throws -> String {
        do {
            _ = try KalshiWatchdogOptions.parse(try value(text), file: "/etc/recio/services.json")
            return "no error"
        } catch let error as ConfigError {
            return error.description
        }
    }

    static func ingestError(_ text: String) throws -> String {
        do {
            _ = try KalshiIngestOptions.parse(try value(text), file: "/etc/recio/services.json")
            return "no error"
        } catch let error as ConfigError {
            return error.description
        }
    }

    @Test func bothDaemonsReadBaseURLAndSeries() throws {
        let text = #"{"base_url": "http://127.0.0.1:8765/trade-api/v2", "series": ["KXBTCD", "KXBTC"]}"#
        let watchdog = try KalshiWatchdogOptions.parse(try Self.value(text), file: "f")
        let ingest = try KalshiIngestOptions.parse(try Self.value(text.dropLast() + #", "account": false}"#), file: "f")
        #expect(watchdog.baseURL.absoluteString == "http://127.0.0.1:8765/trade-api/v2")
        #expect(ingest.baseURL == watchdog.baseURL)
        #expect(watchdog.series == ["KXBTCD", "KXBTC"])
        #expect(ingest.series == watchdog.series)
    }

    @Test(arguments: [
        (#"{"base_url": "ftp://example.com/x"}"#, "base_url", "expected an http(s) URL without a query"),
        (#"{"base_url": "https://example.com/x?y=1"}"#, "base_url", "expected an http(s) URL without a query"),
        (#"{"series": []}"#, "series", "expected at least one series"),
        (#"{"series": ["kxbtcd"]}"#, "series[0]", "upper-case letters and digits"),
        (#"{"series": ["KXBTCD", "KXBTCD"]}"#, "series[1]", "listed twice"),
    ])
    func badFieldsNameTheirPathInEitherService(text: String, field: String, message: String) throws {
        let watchdog = try Self.watchdogError(text)
        let ingest = try Self.ingestError(text)
        #expect(watchdog.contains("/etc/recio/services.json: $.services.kalshi_api_watchdog.options.\(field): "), "\(watchdog)")
        #expect(ingest.contains("/etc/recio/services.json: $.services.kalshi_historical_ingest.options.\(field): "), "\(ingest)")
        #expect(watchdog.contains(message), "\(watchdog)")
        #expect(ingest.contains(message), "\(ingest)")
    }
}
