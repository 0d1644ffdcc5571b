import LiveAnalysis
import ServiceKit

// Thin entry point: everything worth testing lives in LiveAnalysis.
await DaemonMain.main(LiveDataAnalysisDaemon.self)
