import FixtureServers
import Foundation
import StorageKit

/// The REST side of the fixture server the way the watchdog tests want it: Coinbase spot, Kraken
/// ticker and hourly OHLC, and Coinbase Exchange recent trades.
enum WatchdogFixture {
    static let spotRoute = HTTPFixtureRoute("GET", "/v2/prices/BTC-USD/spot")
    static let krakenTickerRoute = HTTPFixtureRoute("GET", "/0/public/Ticker")
    static let ohlcRoute = HTTPFixtureRoute("GET", "/0/public/OHLC")
    static let tradesRoute = HTTPFixtureRoute("GET", "/products/BTC-USD/trades")

    /// 25 hourly closes: now 64,500.00, an hour ago 64,000.00, 3 h ago 65,000.00, a day ago 60,000.00.
    static let ohlcCloses: [String] = {
        var closes = Array(repeating: "62000.00000", count: 25)
        closes[0] = "60000.00000"   // −25
        closes[21] = "65000.00000"  // −4
        closes[23] = "64000.00000"  // −2
        closes[24] = "64500.00000"  // −1
        return closes
    }()

    /// What the legacy computed from `ohlcCloses`: `(to − from) / from × 100`.
    static let expectedChanges = (
        change1h: (64500.0 - 64000.0) / 64000.0 * 100,
        change3h: (64500.0 - 65000.0) / 65000.0 * 100,
        change1d: (64500.0 - 60000.0) / 60000.0 * 100
    )

    /// Sets the spot, Kraken ticker and OHLC routes.
    static func configure(_ server: FixtureServer, spot: String = "64010.00", kraken: String = "64020.00000") {
        server.setRoute(spotRoute, .json(CoinbasePayloads.spot(amount: spot)))
        server.setRoute(krakenTickerRoute, .json(CoinbasePayloads.krakenTicker(last: kraken)))
        server.setRoute(ohlcRoute, .json(CoinbasePayloads.krakenOHLC(closes: ohlcCloses)))
    }

    /// A recent-trades page (one page, newest first) with a trade every second of `seconds`, at
    /// half past the second, priced `price` plus the second's last two digits in cents.
    static func setTrades(_ server: FixtureServer, seconds: ClosedRange<Int64>, firstTradeId: Int64 = 1_000_000) {
        let trades = seconds.reversed().map { s in
            CoinbasePayloads.trade(time: CoinbasePayloads.timestamp(epochMicroseconds: s * 1_000_000 + 500_000),
                                   tradeId: firstTradeId + (s - seconds.lowerBound), price: tradePrice(s).description)
        }
        server.setRoute(tradesRoute, .json(CoinbasePayloads.tradesPage(trades)))
    }

    /// The price of the fixture's trade in second `s`.
    static func tradePrice(_ s: Int64) -> USDCents { USDCents(cents: 6_400_000 + s % 100) }
}
