#!/usr/bin/env python3
"""Generates the bundled replay dataset (Resources/replay/): two hours of 1-second BTC/USD trade
prices shaped like a recorded Coinbase feed (geometric Brownian motion at ~45 %/yr volatility with
volatility clustering, occasional jumps and exchange-style decimals), and a recorded-shaped Kalshi
KXBTCD event whose markets the replay server re-tickets for the current hour.

Deterministic (fixed seed), so the committed files can be regenerated exactly."""
import json
import math
import random

random.seed(20251102)
price = 64_250.00
sigma_year = 0.45
dt = 1 / (365.25 * 86400)
vol = sigma_year
rows = []
for i in range(7200):
    # volatility clustering: a slow mean-reverting multiplier
    vol = max(0.15, min(1.2, vol + 0.002 * (sigma_year - vol) + random.gauss(0, 0.004)))
    shock = random.gauss(0, vol * math.sqrt(dt))
    if random.random() < 0.0015:  # rare jumps of a few tens of dollars
        shock += random.choice([-1, 1]) * random.uniform(0.0004, 0.0012)
    price *= math.exp(shock)
    rows.append(f"{i},{price:.2f}")
with open("Resources/replay/btc_usd_ticks.csv", "w") as f:
    f.write("offset_seconds,price\n")
    f.write("\n".join(rows) + "\n")

# One hourly event: strikes every $250 around the opening price, as KXBTCD lists them.
center = round(rows[0].split(",")[1] and float(rows[0].split(",")[1]) / 250) * 250
markets = []
for k in range(-20, 20):
    strike = center + k * 250 - 0.01
    distance = (64_250 - strike) / 600.0
    p_yes = 1 / (1 + math.exp(-distance))
    yes_bid = max(0.01, min(0.99, round(p_yes - 0.01, 2)))
    yes_ask = max(0.01, min(0.99, round(p_yes + 0.01, 2)))
    volume = random.randint(0, 25_000)
    size_bid = random.randint(10, 5_000)
    size_ask = random.randint(10, 5_000)
    markets.append({
        "ticker": f"KXBTCD-{{EVENT}}-T{strike:.2f}",
        "event_ticker": "KXBTCD-{EVENT}",
        "market_type": "binary",
        "title": "Bitcoin price on {DATE}?",
        "subtitle": f"${strike + 0.01:,.0f} or above",
        "yes_sub_title": f"${strike + 0.01:,.0f} or above",
        "no_sub_title": f"${strike + 0.01:,.0f} or above",
        "created_time": "{CREATED}",
        "updated_time": "{UPDATED}",
        "open_time": "{OPEN}",
        "close_time": "{CLOSE}",
        "expiration_time": "{CLOSE}",
        "latest_expiration_time": "{CLOSE}",
        "settlement_timer_seconds": 60,
        "status": "active",
        "response_price_units": "usd_cent",
        "yes_bid_dollars": f"{yes_bid:.4f}", "yes_ask_dollars": f"{yes_ask:.4f}",
        "no_bid_dollars": f"{1 - yes_ask:.4f}", "no_ask_dollars": f"{1 - yes_bid:.4f}",
        "yes_bid_size_fp": f"{size_bid:.2f}", "yes_ask_size_fp": f"{size_ask:.2f}",
        "last_price_dollars": f"{p_yes:.4f}",
        "previous_yes_bid_dollars": f"{yes_bid:.4f}", "previous_yes_ask_dollars": f"{yes_ask:.4f}",
        "previous_price_dollars": f"{p_yes:.4f}",
        "volume_fp": f"{volume:.2f}", "volume_24h_fp": f"{volume:.2f}",
        "liquidity_dollars": "0.0000", "open_interest_fp": f"{volume // 2:.2f}",
        "notional_value_dollars": "1.0000",
        "result": "", "can_close_early": False, "fractional_trading_enabled": False, "expiration_value": "",
        "strike_type": "greater", "floor_strike": strike, "tick_size": 1,
        "rules_primary": "If the price of Bitcoin is above the strike at close, the market resolves to Yes.",
        "rules_secondary": "",
        "price_level_structure": "linear_cent",
        "price_ranges": [],
    })
event = {
    "event": {
        "event_ticker": "KXBTCD-{EVENT}", "series_ticker": "KXBTCD",
        "sub_title": "On {DATE}", "title": "Bitcoin price on {DATE}?",
        "collateral_return_type": "binary", "mutually_exclusive": False, "category": "Crypto",
        "strike_date": "{CLOSE}", "available_on_brokers": True, "product_metadata": None,
    },
    "markets": markets,
}
with open("Resources/replay/kalshi_event_template.json", "w") as f:
    json.dump(event, f, indent=1)
    f.write("\n")
