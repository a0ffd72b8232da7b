"""fl.risk_model at 3000 tickers x 10 years, against the per-date statsmodels loop.

Run: .venv/bin/python benchmarks/risk_model.py [--tickers 3000 --years 10 --runs 3]

The fit is ``fl.risk_model(ds)`` with its five styles and the sectors, from a fresh dataset
(the exposures computed from the data, the regressions, the residuals); the first risk forecast
(factor covariance and specific risk for every day) is timed apart. The peer is what one writes
without factorlab: for each date, build the design (market, sector dummies, styles), substitute
the constraint on sector returns and fit statsmodels' WLS. It runs on a subset of dates, its
time per date is scaled to all dates, and its factor returns are checked against ours.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm

import factorlab as fl


def statsmodels_factor_returns(
    model: fl.RiskModel, ds: fl.Dataset, day: pd.Timestamp
) -> np.ndarray:
    """One date's factor returns, fitted by statsmodels as a user would write it."""
    before = ds.dates[ds.dates.get_loc(day) - 1]
    table = model.exposures(before)
    returns = ds.prices.pct_change(fill_method=None).loc[day]
    caps = model.caps.loc[before]
    sectors = model.industry_names()
    styles = list(model.styles)
    used = table[styles].notna().all(axis=1) & returns.notna() & (caps > 0)
    used &= table[sectors].sum(axis=1) == 1
    x, y, c = table[used], returns[used], caps[used]
    share = np.array([c[x[s] == 1].sum() for s in sectors])
    reference = int(np.argmax(share))
    others = [i for i in range(len(sectors)) if i != reference]
    columns = [x[sectors[i]] - share[i] / share[reference] * x[sectors[reference]] for i in others]
    design = np.column_stack([np.ones(len(x)), *columns, x[styles].to_numpy()])
    params = sm.WLS(y.to_numpy(), design, weights=np.sqrt(c.to_numpy())).fit().params
    industry = np.zeros(len(sectors))
    industry[others] = params[1 : len(sectors)]
    industry[reference] = -share[others] @ industry[others] / share[reference]
    return np.r_[params[0], industry, params[len(sectors) :]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickers", type=int, default=3000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--subset-dates", type=int, default=40)
    args = parser.parse_args()

    fits, forecasts = [], []
    for _ in range(args.runs):  # each on a dataset of its own: nothing cached between runs
        ds = fl.load_dataset("sample", n_tickers=args.tickers, years=args.years, seed=7)
        start = time.perf_counter()
        model = fl.risk_model(ds)
        fits.append(time.perf_counter() - start)
        start = time.perf_counter()
        model.covariance(ds.dates[-1])
        model.specific_risk(ds.dates[-1])
        forecasts.append(time.perf_counter() - start)
    fit = statistics.median(fits)
    print(f"dataset: {len(ds.tickers)} tickers x {len(ds.dates)} days, {os.cpu_count()} cores")
    print(
        f"fl.risk_model (5 styles, {len(model.industry_names())} sectors): {fit:.2f} s, the "
        f"median of {args.runs} runs ({', '.join(f'{s:.2f}' for s in fits)}); goal: at most 5 s"
    )
    print(
        f"first risk forecast (covariance and specific risk, every day): "
        f"{statistics.median(forecasts):.2f} s"
    )

    rng = np.random.default_rng(0)
    fitted = model.factor_returns.dropna(how="all").index
    days = pd.DatetimeIndex(sorted(rng.choice(fitted, args.subset_dates, replace=False)))
    start = time.perf_counter()
    theirs = np.array([statsmodels_factor_returns(model, ds, day) for day in days])
    peer = time.perf_counter() - start
    # The regression alone, ours, over every date (exposures are the peer's inputs too).
    per_date = peer / len(days)
    scaled = per_date * len(fitted)
    print(f"statsmodels, one date at a time: {per_date * 1e3:.0f} ms per date")
    print(f"statsmodels, scaled to all {len(fitted)} dates: {scaled:.1f} s")
    print(f"ratio statsmodels loop / fl.risk_model (whole fit): {scaled / fit:.0f}x (goal: 20x)")
    ours = model.factor_returns.loc[days].to_numpy()
    worst = np.nanmax(np.abs(ours - theirs))
    print(f"largest difference in factor returns on the subset: {worst:.1e}")
    assert worst < 1e-10, "factorlab and statsmodels disagree"


if __name__ == "__main__":
    main()
