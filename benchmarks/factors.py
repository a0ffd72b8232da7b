"""fl.score at 3000 tickers x 10 years against a naive per-ticker loop in the seed's style.

Run: .venv/bin/python benchmarks/factors.py [--tickers 3000 --years 10 --runs 5]

The naive version does what the seed did for one stock and one day (look up its latest filings,
sum four quarters, divide by price) in a Python loop over tickers and dates. It runs on a subset
of tickers and month-end dates; its time is scaled to the full panel, and its numbers are checked
against factorlab's on that subset.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd

import factorlab as fl


def naive_value_and_growth(ds: fl.Dataset, tickers: list[str], dates: pd.DatetimeIndex) -> dict:
    """Earnings yield, book/price, sales/price and revenue growth, one ticker and day at a time."""
    out = {
        name: pd.DataFrame(np.nan, index=dates, columns=tickers)
        for name in (
            "earnings_yield",
            "book_to_price",
            "sales_to_price",
            "revenue_growth",
            "momentum_12_1",
        )
    }
    f = ds.fundamentals
    for ticker in tickers:
        rows = f[f["ticker"] == ticker].sort_values("period_end")
        closes = ds.prices[ticker]
        for date in dates:
            price = closes.get(date)
            if price is None or np.isnan(price):
                continue
            known = rows[rows["available_at"] <= date]
            if len(known) >= 4:
                last4 = known.iloc[-4:]
                months = (last4["period_end"].iloc[-1] - last4["period_end"].iloc[0]).days
                if 250 < months < 300:  # four consecutive quarters
                    cap = price * known["shares_outstanding"].iloc[-1]
                    out["earnings_yield"].at[date, ticker] = last4["net_income"].sum() / cap
                    out["sales_to_price"].at[date, ticker] = last4["revenue"].sum() / cap
                if len(known) >= 8:
                    prior = known.iloc[-8:-4]
                    span = (known["period_end"].iloc[-1] - prior["period_end"].iloc[0]).days
                    if 630 < span < 660:
                        out["revenue_growth"].at[date, ticker] = (
                            last4["revenue"].sum() / prior["revenue"].sum() - 1
                        )
            if len(known):
                cap = price * known["shares_outstanding"].iloc[-1]
                out["book_to_price"].at[date, ticker] = known["book_equity"].iloc[-1] / cap
            position = ds.prices.index.get_loc(date)
            if position >= 252:
                then, recent = closes.iloc[position - 252], closes.iloc[position - 21]
                out["momentum_12_1"].at[date, ticker] = recent / then - 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickers", type=int, default=3000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--subset-tickers", type=int, default=60)
    parser.add_argument("--subset-dates", type=int, default=24)
    args = parser.parse_args()

    # Each run on a dataset of its own: nothing computed by an earlier run (the point-in-time
    # view of the filings, market cap) is reused, as in a fresh session.
    seconds = []
    for _ in range(args.runs):
        ds = fl.load_dataset("sample", n_tickers=args.tickers, years=args.years, seed=7)
        start = time.perf_counter()
        scores = fl.score(ds)
        seconds.append(time.perf_counter() - start)
    ours = statistics.median(seconds)
    print(f"dataset: {len(ds.tickers)} tickers x {len(ds.dates)} days, {os.cpu_count()} cores")
    print(
        f"fl.score (value, growth, momentum; every day, every ticker): {ours:.2f} s, the median "
        f"of {args.runs} runs ({', '.join(f'{s:.2f}' for s in seconds)}); goal: at most 3 s"
    )

    rng = np.random.default_rng(0)
    tickers = sorted(rng.choice(ds.tickers, args.subset_tickers, replace=False).tolist())
    month_ends = ds.dates[np.r_[ds.dates.month[1:] != ds.dates.month[:-1], True]]
    dates = month_ends[-args.subset_dates :]
    start = time.perf_counter()
    naive = naive_value_and_growth(ds, tickers, dates)
    naive_seconds = time.perf_counter() - start
    pairs = len(tickers) * len(dates)
    scaled = naive_seconds / pairs * len(ds.tickers) * len(ds.dates)
    print(
        f"naive loop: {naive_seconds:.1f} s for {len(tickers)} tickers x {len(dates)} dates "
        f"({naive_seconds / pairs * 1e3:.2f} ms per stock-day, five metrics only)"
    )
    print(f"naive, scaled to the full panel: {scaled / 3600:.1f} h")
    print(f"ratio naive / factorlab: {scaled / ours:,.0f}x")

    metrics = {
        **fl.factors.metrics(ds, "value"),
        **fl.factors.metrics(ds, "growth"),
        **fl.factors.metrics(ds, "momentum"),
    }
    worst = max(
        np.nanmax(np.abs(metrics[name].loc[dates, tickers] - panel).to_numpy(), initial=0.0)
        for name, panel in naive.items()
    )
    print(f"largest difference between the two on the subset: {worst:.2e}")
    assert worst < 1e-9, "factorlab and the naive loop disagree"
    assert scores.composite.notna().any().any()


if __name__ == "__main__":
    main()
