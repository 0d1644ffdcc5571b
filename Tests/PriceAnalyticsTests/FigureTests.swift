import Foundation
import Testing
@testable import PriceAnalytics

@Suite struct DeltaTests {
    static let t: Int64 = 1_717_243_200

    @Test func legacyDefinition() {
        var s = PriceSeries()
        s.append(second: Self.t - 120, cents: 8_000_000)
        s.append(second: Self.t - 60, cents: 10_000_000)
        s.append(second: Self.t - 10, cents: 11_000_000)  // the latest at or before t
        #expect(s.delta(minutes: 1, at: Self.t) == 10.0)
        #expect(s.delta(minutes: 2, at: Self.t) == Double(3_000_000) / Double(8_000_000) * 100)
        #expect(s.delta(minutes: 3, at: Self.t) == nil)  // no price at or before t − 3 min
    }

    @Test func pastPriceOfZeroGivesNil() {
        var s = PriceSeries()
        s.append(second: Self.t - 60, cents: 0)
        s.append(second: Self.t, cents: 100)
        #expect(s.delta(minutes: 1, at: Self.t) == nil)
    }

    @Test func pastIsFoundThroughAGap() {
        var s = PriceSeries()
        s.append(second: Self.t - 1_000, cents: 200)
        s.append(second: Self.t, cents: 300)
        #expect(s.delta(minutes: 15, at: Self.t) == 50.0)  // t − 900 falls in the gap: the price before it
    }
}

@Suite struct WeightedMomentumTests {
    static let cases: [(deltas: [Double?], expected: Double?)] = {
        let all: Double = 0.3 * 1 + 0.25 * 2 + 0.2 * 3 + 0.15 * 4 + 0.05 * 5 + 0.05 * 6
        let some: Double = (0.3 * 1 + 0.2 * 3) / (0.3 + 0.2)
        return [
            ([1, 2, 3, 4, 5, 6], all),
            ([1, nil, 3, nil, nil, nil], some),
            ([nil, nil, nil, nil, nil, -2], -2),
            ([nil, nil, nil, nil, nil, nil], nil),
        ]
    }()

    @Test(arguments: cases)
    func renormalisesOverAvailableDeltas(deltas: [Double?], expected: Double?) {
        let score = WeightedMomentum().score(deltas)
        #expect((score == nil) == (expected == nil))
        if let score, let expected { #expect(abs(score - expected) <= 1e-15 * max(1, abs(expected))) }
    }

    @Test func allAvailableWeightsZeroGivesNil() {
        #expect(WeightedMomentum(weights: [0, 1]).score([5, nil]) == nil)
    }
}

@Suite struct OneMinuteAverageTests {
    static let t: Int64 = 1_717_243_260

    /// The same prices through the series and through the streaming accumulator.
    func both(_ points: [(Int64, Int64)], at t: Int64) -> (OneMinuteMean?, OneMinuteMean) {
        var s = PriceSeries()
        var acc = OneMinuteAverage()
        for (second, cents) in points {
            s.append(second: second, cents: cents)
            acc.record(second: second, cents: cents)
        }
        return (s.oneMinuteAverage(at: t), acc.average(at: t))
    }

    @Test func meanOfTheMinuteBeforeExcludingTheCurrentTick() {
        let (series, streaming) = both([(Self.t - 61, 1), (Self.t - 60, 100), (Self.t - 30, 201), (Self.t, 999_999)], at: Self.t)
        #expect(series == OneMinuteMean(basis: .window(count: 2, sumCents: 301)))
        #expect(streaming == series)
        #expect(series?.cents == 150.5)
        #expect(series?.legacyDollars == 1.505)
    }

    @Test func fallsBackToTheLatestEarlierPrice() {
        let (series, streaming) = both([(Self.t - 500, 7), (Self.t - 61, 1234), (Self.t, 5)], at: Self.t)
        #expect(series == OneMinuteMean(basis: .latestEarlier(PricePoint(second: Self.t - 61, cents: 1234))))
        #expect(streaming == series)
        #expect(series?.legacyDollars == 12.34)
    }

    @Test func noEarlierPriceGivesNoneAndLegacyZero() {
        let (series, streaming) = both([(Self.t, 5)], at: Self.t)
        #expect(series == OneMinuteMean(basis: .none))
        #expect(streaming == series)
        #expect(series?.cents == nil)
        #expect(series?.legacyDollars == 0.0)
    }

    @Test func streamingOverABatchMatchesTheSeriesEverySecond() {
        let points = SyntheticSeries.randomWalk(seed: 5, start: Self.t, seconds: 600, gaps: [(100, 1), (200, 90), (400, 30)])
        var s = PriceSeries()
        var acc = OneMinuteAverage()
        var next = 0
        for t in Self.t ... Self.t + 620 {
            if next < points.count, points[next].second == t {
                s.append(second: t, cents: points[next].cents)
                next += 1
            }
            // The writer asks before recording the tick; the series already holds it (and ignores it).
            let streaming = acc.average(at: t)
            if let p = s.price(at: t) { acc.record(second: t, cents: p) }
            #expect(streaming == s.oneMinuteAverage(at: t), "at \(t)")
        }
    }

    @Test func streamingReplacesADuplicateSecond() {
        var acc = OneMinuteAverage()
        acc.record(second: 10, cents: 100)
        acc.record(second: 20, cents: 300)
        acc.record(second: 10, cents: 500)
        #expect(acc.average(at: 30) == OneMinuteMean(basis: .window(count: 2, sumCents: 800)))
    }

    @Test func evictedMinuteIsUnknown() {
        var s = PriceSeries(capacitySeconds: 100)
        for t in Int64(0) ..< 1_000 { s.append(second: t, cents: 10) }
        #expect(s.oneMinuteAverage(at: 950) == nil)
        #expect(s.oneMinuteAverage(at: 961) == OneMinuteMean(basis: .window(count: 60, sumCents: 600)))
    }
}

@Suite struct RealisedVolatilityTests {
    static let t0: Int64 = 1_717_243_200

    /// 10 000, 10 100, 10 000, 10 100, … cents: returns alternate ±ln(1.01).
    func zigzag(_ count: Int64, skipping: Set<Int64> = []) -> PriceSeries {
        var s = PriceSeries()
        for i in 0 ..< count where !skipping.contains(i) { s.append(second: Self.t0 + i, cents: i % 2 == 0 ? 10_000 : 10_100) }
        return s
    }

    @Test func sampleStandardDeviationOfOneSecondLogReturns() throws {
        let s = zigzag(5)
        let v = s.realisedVolatility(windowSeconds: 4, at: Self.t0 + 4)
        let a = log(1.01)  // returns a, −a, a, −a: mean 0, Σ(r − r̄)² = 4a², ddof 1 → a·sqrt(4/3)
        #expect(v.returnCount == 4)
        let perSecond = try #require(v.perSecond)
        #expect(abs(perSecond - a * (4.0 / 3.0).squareRoot()) <= 1e-15)
        #expect(v.annualised == perSecond * 31_557_600.0.squareRoot())
    }

    @Test func nilWhenHistoryDoesNotReachTheWindowStart() {
        let s = zigzag(5)
        #expect(s.realisedVolatility(windowSeconds: 4, at: Self.t0 + 3).annualised == nil)
        #expect(s.realisedVolatility(windowSeconds: 4, at: Self.t0 + 4).annualised != nil)
    }

    @Test func gapsDropReturnsAndTheFractionRuleApplies() {
        // Window 10 at t0+10: seconds t0 … t0+10; missing t0+3 and t0+4 remove returns 3, 4 and 5.
        let s = zigzag(11, skipping: [3, 4])
        let v = s.realisedVolatility(windowSeconds: 10, at: Self.t0 + 10)
        #expect(v.returnCount == 7)
        #expect(v.annualised != nil)
        #expect(s.realisedVolatility(windowSeconds: 10, at: Self.t0 + 10, minimumReturnFraction: 0.8).annualised == nil)
        #expect(s.realisedVolatility(windowSeconds: 10, at: Self.t0 + 10, minimumReturnFraction: 0.7).annualised != nil)
    }

    @Test func fewerThanTwoReturnsGiveNil() {
        let s = zigzag(3, skipping: [1])
        let v = s.realisedVolatility(windowSeconds: 2, at: Self.t0 + 2, minimumReturnFraction: 0)
        #expect(v.returnCount == 0)
        #expect(v.annualised == nil)
    }

    @Test func flatPricesHaveZeroVolatility() {
        var s = PriceSeries()
        for i in Int64(0) ... 60 { s.append(second: Self.t0 + i, cents: 123_456) }
        #expect(s.realisedVolatility(windowSeconds: 60, at: Self.t0 + 60).annualised == 0)
    }

    @Test func aWindowLongerThanTheSeriesCapacityIsNil() {
        var s = PriceSeries(capacitySeconds: 50)
        for i in Int64(0) ..< 500 { s.append(second: Self.t0 + i, cents: 100 + i % 3) }
        #expect(s.realisedVolatility(windowSeconds: 49, at: Self.t0 + 499).annualised != nil)
        #expect(s.realisedVolatility(windowSeconds: 50, at: Self.t0 + 499).annualised == nil)
    }
}

@Suite struct HourCloseTests {
    static let cases: [(t: Int64, expected: Int64)] = [
        (1_717_243_200, 3_600),  // 2024-06-01T12:00:00Z, exact top of the hour
        (1_717_243_201, 3_599),
        (1_717_246_799, 1),
        (1_730_611_800, 1_800),  // 2024-11-03T05:30:00Z, inside New York's fall-back hour
        (-1, 1),
    ]

    @Test(arguments: cases)
    func secondsToNextTopOfHour(t: Int64, expected: Int64) {
        #expect(HourClose.secondsToNextTopOfHour(after: t) == expected)
    }
}
