import Foundation

extension AnalysisSampleRecord {
    /// `live_analysis`: one row per UTC second (migration 2), range-partitioned by month on `ts`
    /// like `price_history`, so retention drops whole months. A second written twice keeps the
    /// later sample (`updateAll`): a sample recomputed after late rows supersedes the first one.
    public static var postgres: PostgresMapping<AnalysisSampleRecord>? {
        PostgresMapping(
            table: "live_analysis",
            columns: ["ts", "price", "price_ts", "delta_1m", "delta_2m", "delta_3m", "delta_4m", "delta_15m", "delta_30m",
                      "momentum", "one_minute_avg", "volatility", "seconds_to_hour_close", "stale"],
            conflictColumns: ["ts"],
            onConflict: .updateAll,
            monthlyPartition: .init(column: "ts", epochSeconds: { $0.second }),
            encode: { r in
                [UTCTime.postgresText(epochSeconds: r.second), r.price?.description, r.priceSecond.map(UTCTime.postgresText(epochSeconds:))]
                    + r.figures.map(postgresFloat)
                    + [volatilityJSON(r.volatility), String(r.secondsToHourClose), r.stale ? "true" : "false"]
            },
            decode: { row in
                func fail() -> StorageError { StorageError(.corruptData, subject: dataset, "undecodable live_analysis row \(row)") }
                guard row.count == 14, let ts = row[0].flatMap(UTCTime.parseEpochSeconds),
                      let hour = row[12].flatMap({ Int64($0) }), let staleText = row[13] else { throw fail() }
                var doubles: [Double?] = []
                for text in row[3...10] {
                    guard let text else { doubles.append(nil); continue }
                    guard let d = Double(text) else { throw fail() }
                    doubles.append(d)
                }
                let price = try row[1].map { text in try USDCents(decimalString: text) ?? { throw fail() }() }
                let priceSecond = try row[2].map { text in try UTCTime.parseEpochSeconds(text) ?? { throw fail() }() }
                let volatility = try row[11].map { try decodeVolatility(Data($0.utf8)) } ?? []
                return AnalysisSampleRecord(
                    second: ts, price: price, priceSecond: priceSecond,
                    delta1m: doubles[0], delta2m: doubles[1], delta3m: doubles[2], delta4m: doubles[3],
                    delta15m: doubles[4], delta30m: doubles[5], momentum: doubles[6], oneMinuteAverage: doubles[7],
                    volatility: volatility, secondsToHourClose: hour, stale: staleText == "t" || staleText == "true"
                )
            }
        )
    }

    /// `live_analysis_latest.json`, overwritten atomically every second, for consumers that read
    /// files; no archive (the PostgreSQL table is the history).
    public static var json: JSONMapping<AnalysisSampleRecord>? {
        JSONMapping(latest: .init(
            fileName: { _ in latestFileName },
            contents: { record in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                return try encoder.encode(record)
            }
        ))
    }

    /// The name of the JSON latest file.
    public static let latestFileName = "live_analysis_latest.json"

    /// A `double precision` value as text: Swift's shortest round-trip form, which PostgreSQL reads
    /// back to the same `Double` (its float input is correctly rounded).
    static func postgresFloat(_ value: Double?) -> String? {
        guard let value, value.isFinite else { return nil }
        return value.description
    }

    /// `{"60":0.41,"300":null}`: window seconds → annualised volatility.
    static func volatilityJSON(_ figures: [VolatilityFigure]) -> String {
        "{" + figures.map { "\"\($0.windowSeconds)\":\(postgresFloat($0.annualised) ?? "null")" }.joined(separator: ",") + "}"
    }

    /// The figures of a volatility object, ascending by window (JSON objects carry no order).
    static func decodeVolatility(_ data: Data) throws -> [VolatilityFigure] {
        let map = try JSONDecoder().decode([String: Double?].self, from: data)
        return try map.map { key, value in
            guard let window = Int64(key) else {
                throw StorageError(.corruptData, subject: dataset, "volatility key \"\(key)\" is not a number of seconds")
            }
            return VolatilityFigure(windowSeconds: window, annualised: value)
        }.sorted { $0.windowSeconds < $1.windowSeconds }
    }
}

extension AnalysisSampleRecord: Codable {
    /// The JSON keys: the PostgreSQL column names, plus `second` (epoch) next to `ts` (ISO 8601).
    enum CodingKeys: String, CodingKey {
        case ts, second, price, priceTs = "price_ts", delta1m = "delta_1m", delta2m = "delta_2m", delta3m = "delta_3m",
             delta4m = "delta_4m", delta15m = "delta_15m", delta30m = "delta_30m", momentum,
             oneMinuteAverage = "one_minute_avg", volatility, secondsToHourClose = "seconds_to_hour_close", stale
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(UTCTime.iso8601(epochSeconds: second), forKey: .ts)
        try c.encode(second, forKey: .second)
        try c.encode(price, forKey: .price)  // exact decimal text, or null
        try c.encode(priceSecond.map(UTCTime.iso8601(epochSeconds:)), forKey: .priceTs)
        try c.encode(delta1m, forKey: .delta1m)
        try c.encode(delta2m, forKey: .delta2m)
        try c.encode(delta3m, forKey: .delta3m)
        try c.encode(delta4m, forKey: .delta4m)
        try c.encode(delta15m, forKey: .delta15m)
        try c.encode(delta30m, forKey: .delta30m)
        try c.encode(momentum, forKey: .momentum)
        try c.encode(oneMinuteAverage, forKey: .oneMinuteAverage)
        var v: [String: Double?] = [:]
        for figure in volatility { v[String(figure.windowSeconds)] = .some(figure.annualised) }
        try c.encode(v, forKey: .volatility)
        try c.encode(secondsToHourClose, forKey: .secondsToHourClose)
        try c.encode(stale, forKey: .stale)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let priceTs = try c.decodeIfPresent(String.self, forKey: .priceTs)
        let map = try c.decode([String: Double?].self, forKey: .volatility)
        let volatility = try map.map { key, value in
            guard let window = Int64(key) else {
                throw DecodingError.dataCorruptedError(forKey: .volatility, in: c, debugDescription: "key \"\(key)\" is not a number of seconds")
            }
            return VolatilityFigure(windowSeconds: window, annualised: value)
        }.sorted { $0.windowSeconds < $1.windowSeconds }
        self.init(
            second: try c.decode(Int64.self, forKey: .second),
            price: try c.decodeIfPresent(USDCents.self, forKey: .price),
            priceSecond: try priceTs.map { text in
                guard let s = UTCTime.parseEpochSeconds(text) else {
                    throw DecodingError.dataCorruptedError(forKey: .priceTs, in: c, debugDescription: "not a timestamp: \(text)")
                }
                return s
            },
            delta1m: try c.decodeIfPresent(Double.self, forKey: .delta1m),
            delta2m: try c.decodeIfPresent(Double.self, forKey: .delta2m),
            delta3m: try c.decodeIfPresent(Double.self, forKey: .delta3m),
            delta4m: try c.decodeIfPresent(Double.self, forKey: .delta4m),
            delta15m: try c.decodeIfPresent(Double.self, forKey: .delta15m),
            delta30m: try c.decodeIfPresent(Double.self, forKey: .delta30m),
            momentum: try c.decodeIfPresent(Double.self, forKey: .momentum),
            oneMinuteAverage: try c.decodeIfPresent(Double.self, forKey: .oneMinuteAverage),
            volatility: volatility,
            secondsToHourClose: try c.decode(Int64.self, forKey: .secondsToHourClose),
            stale: try c.decode(Bool.self, forKey: .stale)
        )
    }
}
