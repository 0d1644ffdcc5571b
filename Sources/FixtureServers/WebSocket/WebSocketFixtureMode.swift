/// How the fixture's websocket side behaves; changeable mid-test with `FixtureServer.setMode`.
public enum WebSocketFixtureMode: Sendable, Hashable {
    /// Accept, answer the subscribe, stream tickers (and heartbeats if configured).
    case streaming
    /// Accept and answer control frames, but send no data frames at all.
    case silent
    /// Drop every connection at once without a close frame (TCP close); new connections are
    /// dropped right after the upgrade, until the mode changes.
    case closeAbruptly
    /// Refuse the websocket upgrade (the HTTP side answers instead): the exchange is "down".
    case refuseUpgrade
}
