#!/usr/bin/env python3
"""Independent numpy oracle for the PriceAnalytics figures.

Reads a CSV of `second,cents` rows (header line first; any order; a repeated second keeps its last
row) and writes one CSV row per second in [--from, --to] with every figure the Swift library
computes, from the definitions alone (full history, dense arrays, numpy's std with ddof=1):

- price at or before t; delta_Nm = (cur - past) / past * 100, None when a price is missing or past == 0;
- momentum = sum(w*d) / sum(w) over the available deltas;
- one-minute average over [t-60, t) in cents, else the latest price before t, else none;
- realised volatility over W seconds: 1-second log returns where both seconds have a price, for
  s in [t-W+1, t]; None unless history starts at or before t-W and there are at least
  max(2, ceil(fraction*W)) returns; np.std(ddof=1) * sqrt(seconds per year);
- seconds to the next top of the hour, age of the latest price, stale flag.

Empty fields are None. Floats are written with repr() so they round-trip exactly.
Exits non-zero (ImportError) when numpy is missing: the Swift test must fail, not skip.
"""
import argparse
import csv
import math
import sys

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--from", dest="start", type=int, required=True)
    ap.add_argument("--to", dest="end", type=int, required=True)
    ap.add_argument("--delta-minutes", default="1,2,3,4,15,30")
    ap.add_argument("--weights", default="0.3,0.25,0.2,0.15,0.05,0.05")
    ap.add_argument("--vol-windows", default="60,300,900,3600")
    ap.add_argument("--min-fraction", type=float, default=0.5)
    ap.add_argument("--seconds-per-year", type=float, default=365.25 * 86400)
    ap.add_argument("--stale-after", type=int, default=10)
    a = ap.parse_args()

    minutes = [int(x) for x in a.delta_minutes.split(",")]
    weights = [float(x) for x in a.weights.split(",")]
    windows = [int(x) for x in a.vol_windows.split(",")]

    rows = {}
    with open(a.input, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for second, cents in reader:
            rows[int(second)] = int(cents)
    if not rows:
        print("oracle: no input rows", file=sys.stderr)
        return 2

    t0 = min(rows)
    length = max(max(rows), a.end) - t0 + 1
    present = np.zeros(length, dtype=bool)
    price = np.zeros(length, dtype=np.int64)
    for second, cents in rows.items():
        present[second - t0] = True
        price[second - t0] = cents
    # Index of the latest present second at or before each position (-1: none).
    last = np.maximum.accumulate(np.where(present, np.arange(length), -1))

    def at_or_before(t):
        if t < t0:
            return None
        i = last[min(t - t0, length - 1)]
        return None if i < 0 else (int(i) + t0, int(price[i]))

    # 1-second log returns, NaN where either second is missing or not positive.
    returns = np.full(length, np.nan)
    ok = present[1:] & present[:-1] & (price[1:] > 0) & (price[:-1] > 0)
    returns[1:][ok] = np.log(price[1:][ok] / price[:-1][ok])

    # Prefix sums for the one-minute average (exact integers).
    held = np.where(present, price, 0)
    csum = np.concatenate([[0], np.cumsum(held)])
    ccount = np.concatenate([[0], np.cumsum(present.astype(np.int64))])

    def f(x):
        return "" if x is None else repr(float(x))

    header = ["second", "price_second", "price"] + [f"delta_{m}m" for m in minutes] + ["momentum", "oma_kind", "oma_cents"]
    header += [f"vol_{w}" for w in windows] + [f"n_{w}" for w in windows] + ["to_close", "age", "stale"]
    with open(a.output, "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        for t in range(a.start, a.end + 1):
            cur = at_or_before(t)
            deltas = []
            for m in minutes:
                past = at_or_before(t - 60 * m)
                if cur is None or past is None or past[1] == 0:
                    deltas.append(None)
                else:
                    deltas.append((cur[1] - past[1]) / past[1] * 100)
            num = 0.0
            den = 0.0
            for d, wt in zip(deltas, weights):
                if d is not None:
                    num += wt * d
                    den += wt
            momentum = num / den if den > 0 else None

            lo = max(t - 60, t0) - t0
            hi = t - t0  # exclusive: [t-60, t)
            n = int(ccount[hi] - ccount[lo]) if hi > lo else 0
            if n > 0:
                kind, oma = "w", np.int64(csum[hi] - csum[lo]) / np.int64(n)
            else:
                earlier = at_or_before(t - 1)
                kind, oma = ("l", earlier[1]) if earlier else ("n", None)

            vols, counts = [], []
            for win in windows:
                if t - win < t0:
                    vols.append(None)
                    counts.append(0)
                    continue
                seg = returns[t - win + 1 - t0: t - t0 + 1]
                seg = seg[~np.isnan(seg)]
                counts.append(len(seg))
                if len(seg) < max(2, math.ceil(a.min_fraction * win)):
                    vols.append(None)
                else:
                    vols.append(np.std(seg, ddof=1) * math.sqrt(a.seconds_per_year))

            age = None if cur is None else t - cur[0]
            stale = 1 if age is None or age > a.stale_after else 0
            w.writerow([t, "" if cur is None else cur[0], "" if cur is None else cur[1]] + [f(d) for d in deltas]
                       + [f(momentum), kind, f(oma)] + [f(v) for v in vols] + counts
                       + [3600 - t % 3600, "" if age is None else age, stale])
    return 0


if __name__ == "__main__":
    sys.exit(main())
