import PriceFeed
import ServiceKit

// Everything lives in the PriceFeed library; this only hands the daemon type to the shared runner.
await DaemonMain.main(BTCPriceWatchdog.self)
