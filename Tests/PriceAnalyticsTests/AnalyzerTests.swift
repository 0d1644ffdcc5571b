import Testing
@testable import PriceAnalytics

@Suite struct AnalyzerTests {
    static let t0: Int64 = 1_717_243_200

    @Test func emptySeriesGivesAStaleSampleWithEveryFigureMissing() throws {
        let sample = try Analyzer().sample(at: Self.t0, in: PriceSeries())
        #expect(sample.stale)
        #expect(sample.secondsSinceLastPrice == nil)
        #expect(sample.secondsToHourClose == 3_600)
        #expect(sample.missingFigures == [
            "price", "delta_1m", "delta_2m", "delta_3m", "delta_4m", "delta_15m", "delta_30m", "momentum",
            "one_minute_avg", "volatility_60s", "volatility_300s", "volatility_900s", "volatility_3600s",
        ])
    }

    static let ages: [(age: Int64, stale: Bool)] = [(0, false), (10, false), (11, true), (300, true)]

    @Test(arguments: ages)
    func staleAfterTheThreshold(age: Int64, stale: Bool) throws {
        var s = PriceSeries()
        s.append(second: Self.t0, cents: 100)
        let sample = try Analyzer().sample(at: Self.t0 + age, in: s)
        #expect(sample.stale == stale)
        #expect(sample.secondsSinceLastPrice == age)
    }

    @Test func fullHistoryGivesEveryFigure() throws {
        var s = PriceSeries()
        for p in SyntheticSeries.randomWalk(seed: 1, start: Self.t0, seconds: 3_700, gaps: []) { s.append(second: p.second, cents: p.cents) }
        let analyzer = try Analyzer()
        let t = Self.t0 + 3_699
        let sample = analyzer.sample(at: t, in: s)
        #expect(sample.missingFigures.isEmpty)
        #expect(!sample.stale)
        #expect(sample.delta(minutes: 15) == s.delta(minutes: 15, at: t))
        #expect(sample.volatility(windowSeconds: 300) == s.realisedVolatility(windowSeconds: 300, at: t).annualised)
        let legacy = analyzer.legacyColumns(at: t, in: s)
        #expect(legacy == LegacyDerivedColumns(
            momentum: sample.momentum, delta1m: sample.delta(minutes: 1), delta2m: sample.delta(minutes: 2),
            delta3m: sample.delta(minutes: 3), delta4m: sample.delta(minutes: 4), delta15m: sample.delta(minutes: 15),
            delta30m: sample.delta(minutes: 30)))
    }

    @Test func defaultCapacityCoversTheDefaultConfiguration() {
        #expect(AnalyzerConfiguration().requiredCapacitySeconds <= PriceSeries.defaultCapacitySeconds)
    }

    static let badConfigurations: [AnalyzerConfiguration] = [
        AnalyzerConfiguration(momentumWeights: [1, 2, 3]),
        AnalyzerConfiguration(momentumWeights: [0, 0, 0, 0, 0, 0]),
        AnalyzerConfiguration(momentumWeights: [1, 1, 1, 1, 1, -1]),
        AnalyzerConfiguration(deltaMinutes: [0], momentumWeights: [1]),
        AnalyzerConfiguration(volatilityWindows: [1]),
        AnalyzerConfiguration(minimumReturnFraction: 1.5),
        AnalyzerConfiguration(staleAfterSeconds: -1),
    ]

    @Test(arguments: badConfigurations)
    func rejectsBadConfiguration(configuration: AnalyzerConfiguration) {
        #expect(throws: PriceAnalyticsError.self) { try Analyzer(configuration: configuration) }
    }
}
