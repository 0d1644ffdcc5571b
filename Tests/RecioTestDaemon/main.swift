import ServiceKit

// A real daemon process for the ServiceKit lifecycle tests (SIGTERM flush, SIGHUP reload, exit 78):
// it records synthetic price ticks through the writers `services.json` names.
await DaemonMain.main(SyntheticPriceDaemon.self)
