import Foundation

extension MarketSnapshot {
    /// `market_snapshots`: one row per market per poll, range-partitioned by month on `ts`. A row
    /// is an observation that never changes, so a replay keeps the stored row.
    public static var postgres: PostgresMapping<MarketSnapshot>? {
        PostgresMapping(
            table: "market_snapshots",
            columns: ["ts", "market_ticker", "event_ticker", "status", "yes_bid", "yes_ask", "no_bid", "no_ask",
                      "last_price", "volume", "volume_24h", "open_interest", "open_time", "close_time",
                      "strike_type", "floor_strike", "cap_strike", "raw"],
            conflictColumns: ["ts", "market_ticker"],
            onConflict: .doNothing,
            monthlyPartition: .init(column: "ts", epochSeconds: { $0.second }),
            encode: { s in
                [
                    UTCTime.postgresText(epochSeconds: s.second), s.marketTicker, s.eventTicker, s.status,
                    s.yesBid.description, s.yesAsk.description, s.noBid.description, s.noAsk.description,
                    s.lastPrice.description, s.volume.description, s.volume24h?.description, s.openInterest.description,
                    UTCTime.postgresText(epochSeconds: s.openTime), UTCTime.postgresText(epochSeconds: s.closeTime),
                    s.strikeType, s.floorStrike, s.capStrike, s.rawJSON,
                ]
            },
            decode: { row in
                func fail() -> StorageError { StorageError(.corruptData, subject: dataset, "undecodable market_snapshots row \(row)") }
                guard row.count == 18,
                      let ts = row[0].flatMap(UTCTime.parseEpochSeconds), let market = row[1], let event = row[2], let status = row[3],
                      let yesBid = row[4].flatMap({ DollarAmount(decimalString: $0) }),
                      let yesAsk = row[5].flatMap({ DollarAmount(decimalString: $0) }),
                      let noBid = row[6].flatMap({ DollarAmount(decimalString: $0) }),
                      let noAsk = row[7].flatMap({ DollarAmount(decimalString: $0) }),
                      let last = row[8].flatMap({ DollarAmount(decimalString: $0) }),
                      let volume = row[9].flatMap({ ContractCount(decimalString: $0) }),
                      let openInterest = row[11].flatMap({ ContractCount(decimalString: $0) }),
                      let open = row[12].flatMap(UTCTime.parseEpochSeconds), let close = row[13].flatMap(UTCTime.parseEpochSeconds),
                      let raw = row[17] else { throw fail() }
                var volume24h: ContractCount?
                if let text = row[10] {
                    guard let v = ContractCount(decimalString: text) else { throw fail() }
                    volume24h = v
                }
                return MarketSnapshot(second: ts, eventTicker: event, marketTicker: market, status: status,
                                      yesBid: yesBid, yesAsk: yesAsk, noBid: noBid, noAsk: noAsk, lastPrice: last,
                                      volume: volume, volume24h: volume24h, openInterest: openInterest,
                                      openTime: open, closeTime: close, strikeType: row[14], floorStrike: row[15],
                                      capStrike: row[16], rawJSON: raw)
            }
        )
    }

    /// Archive export: one JSON object per market snapshot, in the hour file of its capture second.
    /// No latest form: the legacy latest file is per poll (`MarketPollSnapshot`).
    public static var json: JSONMapping<MarketSnapshot>? {
        JSONMapping(archive: .codable(stream: "market_snapshots", epochSeconds: { $0.second }))
    }
}
