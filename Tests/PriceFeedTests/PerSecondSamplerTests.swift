import PriceFeed
import StorageKit
import Testing

@Suite struct PerSecondSamplerTests {
    func trade(_ price: String, at seconds: Int64, micros: Int64 = 0, source: PriceSource = .coinbaseWebSocket) -> FeedTrade {
        FeedTrade(price: USDCents(price), time: TradeTime(epochSeconds: seconds, microseconds: micros), source: source)
    }

    let t0: Int64 = 1_700_000_000

    @Test func lastPriceByTimeWinsTheSecond() {
        var s = PerSecondSampler()
        s.ingest(trade("100.00", at: t0, micros: 100_000))
        s.ingest(trade("101.00", at: t0, micros: 900_000))
        s.ingest(trade("102.00", at: t0, micros: 500_000))  // arrives last, traded earlier
        let ticks = s.advance(toSecond: t0 + 1)
        #expect(ticks == [PriceTick(second: t0, price: USDCents("101.00"), source: .coinbaseWebSocket)])
        #expect(s.advance(toSecond: t0 + 1).isEmpty)  // a second is closed once
    }

    @Test func carriesForwardThenGoesStaleThenRecovers() {
        var s = PerSecondSampler(configuration: .init(staleAfterSeconds: 3))
        s.ingest(trade("100.00", at: t0, micros: 200_000))
        #expect(s.advance(toSecond: t0 + 1).map(\.second) == [t0])
        let carried = s.advance(toSecond: t0 + 6)
        #expect(carried == [1, 2, 3].map { PriceTick(second: t0 + $0, price: USDCents("100.00"), source: .carriedForward) })
        #expect(s.isStale)
        #expect(s.counters.staleSeconds == 2)
        #expect(s.advance(toSecond: t0 + 100).isEmpty)
        s.ingest(trade("100.10", at: t0 + 100, micros: 500_000, source: .coinbaseSpot))
        #expect(s.advance(toSecond: t0 + 102) == [
            PriceTick(second: t0 + 100, price: USDCents("100.10"), source: .coinbaseSpot),
            PriceTick(second: t0 + 101, price: USDCents("100.10"), source: .carriedForward),
        ])
        #expect(!s.isStale)
    }

    @Test func nothingBeforeTheFirstPrice() {
        var s = PerSecondSampler()
        #expect(s.advance(toSecond: t0).isEmpty)
        #expect(s.advance(toSecond: t0 + 5).isEmpty)
        s.ingest(trade("5.00", at: t0 + 5))
        #expect(s.advance(toSecond: t0 + 6).map(\.second) == [t0 + 5])
    }

    @Test func unconfirmedJumpIsRejectedAndNeverEmitted() {
        var s = PerSecondSampler(configuration: .init(maxJumpFraction: 0.05))
        s.ingest(trade("100.00", at: t0))
        s.ingest(trade("200.00", at: t0 + 1))
        #expect(s.heldCount == 1)
        let held = s.advance(toSecond: t0 + 2)
        #expect(held.map(\.price) == [USDCents("100.00"), USDCents("100.00")])
        #expect(held.last?.source == .carriedForward)
        s.ingest(trade("100.50", at: t0 + 2))
        let after = s.advance(toSecond: t0 + 3)
        #expect(after == [PriceTick(second: t0 + 2, price: USDCents("100.50"), source: .coinbaseWebSocket)])
        #expect(s.counters.rejectedJumps == 1)
        #expect(s.heldCount == 0)
    }

    @Test func confirmedJumpIsAccepted() {
        var s = PerSecondSampler(configuration: .init(maxJumpFraction: 0.05, confirmationsRequired: 1))
        s.ingest(trade("100.00", at: t0))
        _ = s.advance(toSecond: t0 + 1)
        s.ingest(trade("150.00", at: t0 + 1, micros: 100))
        s.ingest(trade("150.50", at: t0 + 1, micros: 200))
        #expect(s.advance(toSecond: t0 + 2) == [PriceTick(second: t0 + 1, price: USDCents("150.50"), source: .coinbaseWebSocket)])
        #expect(s.counters.confirmedJumps == 1)
        #expect(s.counters.rejectedJumps == 0)
    }

    @Test func jumpFarFromBothReplacesTheCandidate() {
        var s = PerSecondSampler(configuration: .init(maxJumpFraction: 0.05, confirmationsRequired: 2))
        s.ingest(trade("100.00", at: t0))
        s.ingest(trade("200.00", at: t0, micros: 1))
        s.ingest(trade("300.00", at: t0, micros: 2))   // rejects 200, becomes the candidate
        s.ingest(trade("301.00", at: t0, micros: 3))   // 1st confirmation of 2
        #expect(s.heldCount == 2)
        s.ingest(trade("302.00", at: t0, micros: 4))   // 2nd: accepted
        #expect(s.advance(toSecond: t0 + 1).map(\.price) == [USDCents("302.00")])
        #expect(s.counters.rejectedJumps == 1)
        #expect(s.counters.confirmedJumps == 1)
    }

    @Test func lateTradeLandsInTheOldestOpenSecond() {
        var s = PerSecondSampler()
        s.ingest(trade("100.00", at: t0 - 2))
        _ = s.advance(toSecond: t0 + 1)
        s.ingest(trade("100.20", at: t0, micros: 500_000))  // second t0 already closed
        #expect(s.advance(toSecond: t0 + 2) == [PriceTick(second: t0 + 1, price: USDCents("100.20"), source: .coinbaseWebSocket)])
        #expect(s.counters.late == 1)
    }

    @Test func nonPositivePricesAreRejected() {
        var s = PerSecondSampler()
        s.ingest(FeedTrade(price: USDCents(cents: 0), time: TradeTime(epochSeconds: t0), source: .coinbaseSpot))
        s.ingest(FeedTrade(price: USDCents(cents: -5), time: TradeTime(epochSeconds: t0), source: .coinbaseSpot))
        #expect(s.advance(toSecond: t0 + 1).isEmpty)
        #expect(s.counters.rejectedInvalid == 2)
    }
}
