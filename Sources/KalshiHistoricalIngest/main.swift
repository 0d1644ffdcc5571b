import ServiceKit

// Thin entry point: everything worth testing lives in ServiceKit and StorageKit.
ServiceCommandLine.placeholderMain(name: "kalshi-historical-ingest")
