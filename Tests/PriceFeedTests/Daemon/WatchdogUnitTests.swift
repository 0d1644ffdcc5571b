import Foundation
import PriceAnalytics
import PriceFeed
import ServiceKit
import StorageKit
import Testing

@Suite struct GapPlannerTests {
    @Test func consecutiveSecondsLeaveNoHole() {
        var planner = GapPlanner(maxRepairSeconds: 3_600)
        #expect(planner.observe(100) == nil)
        #expect(planner.observe(101) == nil)
        #expect(planner.observe(101) == nil)  // the same second again (a repaired one) is no hole
    }

    @Test func holeAfterTheStoredSecondIsRepaired() {
        var planner = GapPlanner(maxRepairSeconds: 3_600)
        planner.noteStored(1_000)
        #expect(planner.observe(1_010) == GapPlanner.Hole(repair: 1_001...1_009, tooOld: nil))
        #expect(planner.lastSecond == 1_010)
    }

    @Test func onlyTheRecentPartOfALongHoleIsRepaired() {
        var planner = GapPlanner(lastSecond: 0, maxRepairSeconds: 100)
        #expect(planner.observe(1_000) == GapPlanner.Hole(repair: 900...999, tooOld: 1...899))
        var none = GapPlanner(lastSecond: 0, maxRepairSeconds: 0)
        #expect(none.observe(10) == GapPlanner.Hole(repair: nil, tooOld: 1...9))
    }
}

@Suite struct LegacyColumnsCalculatorTests {
    @Test func columnsAreThePriceAnalyticsFiguresAtTheTick() {
        var calculator = LegacyColumnsCalculator()
        let t0: Int64 = 1_800_000_000
        calculator.seed((0..<1_800).map { PriceTick(second: t0 + $0, price: USDCents(cents: 6_400_000), source: .coinbaseWebSocket) })
        let tick = calculator.annotate(PriceTick(second: t0 + 1_800, price: USDCents(cents: 6_464_000), source: .coinbaseWebSocket))
        let c = tick.legacyColumns!
        for d in [c.delta1m, c.delta2m, c.delta3m, c.delta4m, c.delta15m, c.delta30m, c.momentum] {
            #expect(abs(d! - 1.0) < 1e-12)
        }
        var series = PriceSeries()
        for s in 0..<1_800 { series.append(second: t0 + Int64(s), cents: 6_400_000) }
        series.append(second: t0 + 1_800, cents: 6_464_000)
        let expected = LegacyDerivedColumns(at: t0 + 1_800, in: series)
        #expect(c.momentum == expected.momentum && c.delta15m == expected.delta15m)
        // No history yet: NULL columns, as the legacy wrote before the analysis had data.
        var empty = LegacyColumnsCalculator()
        #expect(empty.annotate(PriceTick(second: t0, price: USDCents(cents: 1), source: .coinbaseWebSocket)).legacyColumns?.delta1m == nil)
    }
}

@Suite struct PriceChangeSampleTests {
    @Test func legacyFileIsWhatPythonJSONDumpWrote() throws {
        // 2025-08-08 18:03:05 UTC = 14:03:05 EDT.
        let sample = PriceChangeSample(second: 1_754_676_185, change1h: 0.78125, change3h: -0.7692307692307693,
                                       change1d: 7.5, price: USDCents(cents: 6_450_000), candleSecond: 1_754_674_800)
        #expect(sample.legacyJSON == #"{"change1h": 0.78125, "change3h": -0.7692307692307693, "change1d": 7.5, "timestamp": "2025-08-08T14:03:05-04:00"}"#)
        let latest = try #require(PriceChangeSample.json?.latest)
        #expect(latest.fileName(sample) == "btc_price_change.json")
        #expect(try latest.contents(sample) == Data(sample.legacyJSON.utf8))
        #expect(PriceChangeSample(second: 1, change1h: 1e-05, change3h: 0, change1d: -0.0001, price: USDCents(cents: 1), candleSecond: 0)
            .legacyJSON.hasPrefix(#"{"change1h": 1e-05, "change3h": 0.0, "change1d": -0.0001, "#))
    }

    @Test func postgresRowRoundTripsExactly() throws {
        let mapping = try #require(PriceChangeSample.postgres)
        let sample = PriceChangeSample(second: 1_754_676_185, change1h: 0.1, change3h: -0.7692307692307693,
                                       change1d: 7.5, price: USDCents(cents: 6_450_001), candleSecond: 1_754_674_800)
        let row = mapping.encode(sample)
        #expect(row[4] == "64500.01")
        #expect(try mapping.decode(row) == sample)
        #expect(throws: StorageError.self) {
            try PriceChangeSample(second: 1, change1h: .nan, change3h: 0, change1d: 0, price: USDCents(cents: 1), candleSecond: 0).validate()
        }
    }
}

@Suite struct BTCPriceWatchdogOptionsTests {
    static func service(_ options: String) throws -> ServicesConfig {
        let text = """
            {"postgres": {"schema": "user_0001"}, "services": {
              "btc_price_watchdog": {"writers": ["postgres"], "primary": "postgres", "options": \(options)},
              "kalshi_api_watchdog": {"writers": ["postgres"], "primary": "postgres"},
              "kalshi_historical_ingest": {"writers": ["postgres"], "primary": "postgres"},
              "live_data_analysis": {"writers": ["postgres"], "primary": "postgres", "reader": "postgres"}}}
            """
        return try ServicesConfig.parse(Data(text.utf8), file: "services.json")
    }

    @Test func defaultsAreTheProductionEndpointsAndLegacyFigures() throws {
        let config = try Self.service("{}")
        let options = try BTCPriceWatchdogOptions(config.service(.btcPriceWatchdog), file: config.file)
        #expect(options == BTCPriceWatchdogOptions())
        #expect(options.websocketURL == "wss://ws-feed.exchange.coinbase.com")
        #expect(options.silenceTimeoutSeconds == 10)
        #expect(options.priceChangeIntervalSeconds == 60)
    }

    @Test func everyKeyIsReadAndUnknownKeysAreRejected() throws {
        let config = try Self.service("""
            {"websocket_url": "ws://127.0.0.1:1/", "product_id": "BTC-USD", "silence_timeout_seconds": 2.5,
             "coinbase_spot_url": "http://127.0.0.1:1", "kraken_url": "http://127.0.0.1:2", "coinbase_exchange_url": "http://127.0.0.1:3",
             "stale_after_seconds": 5, "max_jump_fraction": 0.1, "gap_repair_max_seconds": 600,
             "price_change_interval_seconds": 30, "health_max_age_seconds": 20}
            """)
        let options = try BTCPriceWatchdogOptions(config.service(.btcPriceWatchdog), file: config.file)
        #expect(options.silenceTimeoutSeconds == 2.5 && options.staleAfterSeconds == 5 && options.gapRepairMaxSeconds == 600)
        #expect(options.krakenURL.absoluteString == "http://127.0.0.1:2")

        let bad = try Self.service(#"{"stale_after": 5}"#)
        let error = #expect(throws: ConfigError.self) { try BTCPriceWatchdogOptions(bad.service(.btcPriceWatchdog), file: bad.file) }
        #expect(error?.code == .unknownKey)
        #expect(error?.path == "$.services.btc_price_watchdog.options.stale_after")
        #expect(error?.description.contains("stale_after_seconds") == true)  // the known keys are listed
    }
}
