import KalshiKit
import ServiceKit

// Thin entry point: everything worth testing lives in KalshiKit.
await DaemonMain.main(KalshiHistoricalIngestDaemon.self)
