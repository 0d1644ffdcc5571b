/// The JSON of the Kalshi history endpoints for a `KalshiHistoryDataset`, shaped as the OpenAPI
/// spec says (checked by the contract test). Values vary with the index so rows differ.
public enum KalshiHistoryPayloads {
    static func iso(_ t: Int64) -> String {
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let rem = t - days * 86_400
        let (y, m, d) = civil(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60))Z"
    }

    /// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
    static func civil(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `n` ten-thousandths of a dollar as `"0.1234"`.
    static func dollars(_ n: Int) -> String {
        let v = max(0, n)
        let frac = String(v % 10_000)
        return "\(v / 10_000)." + String(repeating: "0", count: 4 - frac.count) + frac
    }

    /// `n` hundredths of a contract as `"12.34"`.
    static func count(_ n: Int) -> String {
        let frac = String(n % 100)
        return "\(n / 100)." + String(repeating: "0", count: 2 - frac.count) + frac
    }

    public static func cutoff(_ d: KalshiHistoryDataset) -> String {
        #"{"market_settled_ts": "\#(iso(d.marketCutoff))", "trades_created_ts": "\#(iso(d.tradesCutoff))", "orders_updated_ts": "\#(iso(d.tradesCutoff))"}"#
    }

    public static func fill(_ d: KalshiHistoryDataset, _ k: Int) -> String {
        let market = d.marketTicker(k % max(1, d.markets))
        let yes = 100 * (5 + k * 7 % 90)
        let t = d.fillTime(k)
        return #"{"fill_id": "fill-\#(k)", "trade_id": "fill-trade-\#(k)", "order_id": "order-\#(k / 3)", "ticker": "\#(market)", "market_ticker": "\#(market)", "side": "\#(k % 2 == 0 ? "yes" : "no")", "action": "\#(k % 3 == 0 ? "sell" : "buy")", "count_fp": "\#(count((k % 9 + 1) * 100 + k % 4 * 25))", "yes_price_dollars": "\#(dollars(yes))", "no_price_dollars": "\#(dollars(10_000 - yes))", "is_taker": \#(k % 2 == 1), "created_time": "\#(iso(t))", "fee_cost": "\#(dollars(k % 5 * 70))", "ts": \#(t)}"#
    }

    public static func settlement(_ d: KalshiHistoryDataset, _ k: Int) -> String {
        let market = d.marketTicker(k % max(1, d.markets))
        return #"{"ticker": "\#(market)", "event_ticker": "\#(d.eventTicker(k % max(1, d.markets)))", "market_result": "\#(k % 2 == 0 ? "yes" : "no")", "yes_count_fp": "\#(count(k * 100))", "yes_total_cost_dollars": "\#(dollars(k * 4_300))", "no_count_fp": "\#(count(k % 3 * 100))", "no_total_cost_dollars": "\#(dollars(k % 3 * 5_100))", "revenue": \#(k % 2 == 0 ? k * 100 : 0), "settled_time": "\#(iso(d.settlementTime(account: k)))", "fee_cost": "\#(dollars(k * 17))", "value": \#(k % 2 == 0 ? 100 : 0)}"#
    }

    public static func position(_ d: KalshiHistoryDataset, _ k: Int) -> String {
        let market = d.marketTicker(k % max(1, d.markets))
        let signed = (k % 2 == 0 ? 1 : -1) * (k + 1) * 100
        return #"{"ticker": "\#(market)-P\#(k)", "total_traded_dollars": "\#(dollars(k * 12_345))", "position_fp": "\#(signed < 0 ? "-" : "")\#(count(abs(signed)))", "market_exposure_dollars": "\#(dollars(k * 5_000))", "realized_pnl_dollars": "\#(k % 3 == 0 ? "-" : "")\#(dollars(k * 1_111))", "resting_orders_count": \#(k % 4), "fees_paid_dollars": "\#(dollars(k * 99))", "last_updated_ts": "\#(iso(d.accountStart + Int64(k) * 60))"}"#
    }

    public static func market(_ d: KalshiHistoryDataset, _ i: Int) -> String {
        let close = d.closeTime(i), open = d.openTime(i)
        let yes = i % 2 == 0
        return #"{"ticker": "\#(d.marketTicker(i))", "event_ticker": "\#(d.eventTicker(i))", "market_type": "binary", "title": "Bitcoin price at close", "subtitle": "", "yes_sub_title": "$\#(60000 + i * 250).99 or above", "no_sub_title": "below $\#(60000 + i * 250).99", "created_time": "\#(iso(open - 600))", "updated_time": "\#(iso(d.settlementTime(i)))", "open_time": "\#(iso(open))", "close_time": "\#(iso(close))", "expiration_time": "\#(iso(close))", "latest_expiration_time": "\#(iso(close + 86_400))", "settlement_timer_seconds": 300, "status": "finalized", "notional_value_dollars": "1.0000", "yes_bid_dollars": "0.0000", "yes_bid_size_fp": "0.00", "yes_ask_dollars": "0.0000", "yes_ask_size_fp": "0.00", "no_bid_dollars": "0.0000", "no_ask_dollars": "0.0000", "last_price_dollars": "\#(yes ? "0.9900" : "0.0100")", "previous_yes_bid_dollars": "0.5000", "previous_yes_ask_dollars": "0.5100", "previous_price_dollars": "0.5000", "volume_fp": "\#(count((i + 1) * 152_000))", "volume_24h_fp": "0.00", "liquidity_dollars": "0.0000", "open_interest_fp": "0.00", "result": "\#(yes ? "yes" : "no")", "can_close_early": false, "fractional_trading_enabled": false, "expiration_value": "\#(60000 + i * 250 + (yes ? 500 : -500)).00", "settlement_value_dollars": "\#(yes ? "1.0000" : "0.0000")", "settlement_ts": "\#(iso(d.settlementTime(i)))", "strike_type": "greater", "floor_strike": \#(60000 + i * 250).99, "rules_primary": "If the BTC price is above the strike at close, the market resolves to Yes.", "rules_secondary": "", "price_level_structure": "linear_cent", "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}]}"#
    }

    /// Candlestick `k` of market `i` (live form, or the historical form with other member names).
    public static func candlestick(_ d: KalshiHistoryDataset, market i: Int, periodMinutes: Int64, _ k: Int, historical: Bool) -> String {
        let end = d.openTime(i) + Int64(k + 1) * periodMinutes * 60
        let base = 100 * (20 + (i * 7 + k) % 60)
        let traded = k % 5 != 4
        let (o, l, h, c) = (base, base - 100, base + 200, base + 100)
        if historical {
            let price = traded
                ? #"{"open": "\#(dollars(o))", "low": "\#(dollars(l))", "high": "\#(dollars(h))", "close": "\#(dollars(c))", "mean": "\#(dollars(base + 50))", "previous": "\#(dollars(base))"}"#
                : #"{"open": null, "low": null, "high": null, "close": null, "mean": null, "previous": "\#(dollars(base))"}"#
            return #"{"end_period_ts": \#(end), "yes_bid": {"open": "\#(dollars(o))", "low": "\#(dollars(l))", "high": "\#(dollars(h))", "close": "\#(dollars(c))"}, "yes_ask": {"open": "\#(dollars(o + 100))", "low": "\#(dollars(l + 100))", "high": "\#(dollars(h + 100))", "close": "\#(dollars(c + 100))"}, "price": \#(price), "volume": "\#(count(k % 7 * 100))", "open_interest": "\#(count(k * 100))"}"#
        }
        let price = traded
            ? #"{"open_dollars": "\#(dollars(o))", "low_dollars": "\#(dollars(l))", "high_dollars": "\#(dollars(h))", "close_dollars": "\#(dollars(c))", "mean_dollars": "\#(dollars(base + 50))", "previous_dollars": "\#(dollars(base))"}"#
            : #"{"previous_dollars": "\#(dollars(base))"}"#
        return #"{"end_period_ts": \#(end), "yes_bid": {"open_dollars": "\#(dollars(o))", "low_dollars": "\#(dollars(l))", "high_dollars": "\#(dollars(h))", "close_dollars": "\#(dollars(c))"}, "yes_ask": {"open_dollars": "\#(dollars(o + 100))", "low_dollars": "\#(dollars(l + 100))", "high_dollars": "\#(dollars(h + 100))", "close_dollars": "\#(dollars(c + 100))"}, "price": \#(price), "volume_fp": "\#(count(k % 7 * 100))", "open_interest_fp": "\#(count(k * 100))"}"#
    }

    public static func trade(_ d: KalshiHistoryDataset, market i: Int, _ k: Int) -> String {
        let yes = 100 * (1 + (i * 13 + k) % 98)
        return #"{"trade_id": "\#(String(i, radix: 16))-\#(String(k, radix: 16))-trade", "ticker": "\#(d.marketTicker(i))", "count_fp": "\#(count((k % 20 + 1) * 100))", "yes_price_dollars": "\#(dollars(yes))", "no_price_dollars": "\#(dollars(10_000 - yes))", "taker_side": "\#(k % 2 == 0 ? "yes" : "no")", "created_time": "\#(iso(d.tradeTime(market: i, k)))"}"#
    }

    /// `{"<key>": [items], "cursor": "..."}`.
    public static func list(_ key: String, _ items: [String], cursor: String?, extra: String = "") -> String {
        "{\"\(key)\": [" + items.joined(separator: ", ") + "], \(extra)\"cursor\": \"\(cursor ?? "")\"}"
    }
}
