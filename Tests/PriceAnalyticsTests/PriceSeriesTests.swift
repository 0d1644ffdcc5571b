import Testing
@testable import PriceAnalytics

@Suite struct PriceSeriesTests {
    @Test func emptySeriesAnswersNothing() {
        let s = PriceSeries()
        #expect(s.isEmpty)
        #expect(s.latest == nil)
        #expect(s.price(atOrBefore: 1_000) == nil)
        #expect(s.price(at: 1_000) == nil)
    }

    @Test func looksThroughGapsAndPastTheLatest() {
        var s = PriceSeries(capacitySeconds: 100)
        s.append(second: 1_000, cents: 5)
        s.append(second: 1_001, cents: 6)
        s.append(second: 1_010, cents: 7)
        #expect(s.price(atOrBefore: 999) == nil)  // before the first price: there is none
        #expect(s.price(atOrBefore: 1_005) == PricePoint(second: 1_001, cents: 6))
        #expect(s.price(at: 1_005) == nil)
        #expect(s.price(atOrBefore: 1_010) == PricePoint(second: 1_010, cents: 7))
        #expect(s.price(atOrBefore: 5_000) == PricePoint(second: 1_010, cents: 7))
    }

    @Test func evictsOlderThanTheWindowAndKeepsMemoryFixed() {
        var s = PriceSeries(capacitySeconds: 100)
        for t in Int64(0) ..< 10_000 { s.append(second: t, cents: 1_000 + t) }
        #expect(s.sources.count == 100 && s.prices.count == 100 && s.logReturns.count == 100)
        #expect(s.retainedFrom == 9_900)
        #expect(s.hasEvicted)
        #expect(s.price(at: 9_900) == 10_900)
        #expect(s.price(at: 9_899) == nil)
        #expect(s.price(atOrBefore: 9_899) == nil)  // evicted: unknown, not a guess
        #expect(s.append(second: 9_900, cents: 1) == .replaced)
        #expect(s.append(second: 9_899, cents: 1) == .rejectedTooOld)
        #expect(s.price(atOrBefore: 9_899) == nil)
    }

    @Test func carriesTheLastPriceThroughAGapLongerThanTheWindow() {
        var s = PriceSeries(capacitySeconds: 100)
        s.append(second: 0, cents: 42)
        s.append(second: 500, cents: 43)
        #expect(s.retainedFrom == 401)
        #expect(s.price(atOrBefore: 450) == PricePoint(second: 0, cents: 42))
        #expect(s.price(atOrBefore: 400) == nil)
    }

    @Test func outOfOrderAndDuplicateAppendsEqualTheInOrderSeries() {
        var rng = SplitMix64(seed: 7)
        let points = SyntheticSeries.randomWalk(seed: 3, start: 1_000, seconds: 400, gaps: [(50, 3), (200, 40)])
        var ordered = PriceSeries(capacitySeconds: 500)
        for p in points { ordered.append(second: p.second, cents: p.cents) }

        // Shuffle in small blocks (late rows), and send some rows twice: first a wrong price, then the right one.
        var scrambled = PriceSeries(capacitySeconds: 500)
        var outcomes: [AppendOutcome] = []
        for block in stride(from: 0, to: points.count, by: 7) {
            var chunk = Array(points[block ..< min(block + 7, points.count)])
            chunk.shuffle(using: &rng)
            for p in chunk {
                if p.second % 5 == 0 { outcomes.append(scrambled.append(second: p.second, cents: p.cents + 999)) }
                outcomes.append(scrambled.append(second: p.second, cents: p.cents))
            }
        }
        #expect(outcomes.contains(.insertedOutOfOrder))
        #expect(outcomes.contains(.replaced))
        #expect(!outcomes.contains(.rejectedTooOld))
        #expect(scrambled.firstSecond == ordered.firstSecond && scrambled.latestSecond == ordered.latestSecond)
        #expect(scrambled.sources == ordered.sources)
        #expect(scrambled.prices == ordered.prices)
        #expect(scrambled.logReturns.map(\.bitPattern) == ordered.logReturns.map(\.bitPattern))
    }

    @Test func matchesABruteForceModelUnderRandomAppends() {
        var rng = SplitMix64(seed: 11)
        let capacity = 64
        var s = PriceSeries(capacitySeconds: capacity)
        var model: [Int64: Int64] = [:]
        var keys: [Int64] = []
        var latest = Int64.min
        for _ in 0 ..< 3_000 {
            // Mostly forward, sometimes a jump, sometimes back (possibly too far back).
            let step: Int64 = switch Int.random(in: 0 ..< 10, using: &rng) {
            case 0 ..< 6: 1
            case 6: Int64.random(in: 2 ... 90, using: &rng)
            default: -Int64.random(in: 0 ... 80, using: &rng)
            }
            let second = latest == .min ? 10_000 : latest + step
            let cents = Int64.random(in: 1 ... 1_000_000, using: &rng)
            let outcome = s.append(second: second, cents: cents)
            if outcome == .rejectedTooOld {
                #expect(second <= latest - Int64(capacity))
                continue
            }
            if model.updateValue(cents, forKey: second) == nil {
                keys.insert(second, at: keys.firstIndex { $0 > second } ?? keys.count)
            }
            latest = max(latest, second)
            // Walk the retained seconds with a pointer into the sorted keys.
            let from = s.retainedFrom!
            var k = (keys.lastIndex { $0 < from }) ?? -1
            for t in from ... latest + 2 {
                while k + 1 < keys.count, keys[k + 1] <= t { k += 1 }
                let expected = k >= 0 ? PricePoint(second: keys[k], cents: model[keys[k]]!) : nil
                if s.price(atOrBefore: t) != expected {
                    Issue.record("price(atOrBefore: \(t)) = \(String(describing: s.price(atOrBefore: t))), model \(String(describing: expected))")
                    return
                }
            }
        }
    }

    @Test func anInsertBeforeTheFirstSecondExtendsTheHistory() {
        var s = PriceSeries(capacitySeconds: 100)
        s.append(second: 100, cents: 10)
        #expect(s.append(second: 95, cents: 9) == .insertedOutOfOrder)
        #expect(s.firstSecond == 95)
        #expect(s.price(atOrBefore: 97) == PricePoint(second: 95, cents: 9))
        #expect(s.price(atOrBefore: 94) == nil)
    }
}
