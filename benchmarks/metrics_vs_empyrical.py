"""The performance metrics over many strategies at once, against empyrical.

Run: .venv/bin/python benchmarks/metrics_vs_empyrical.py [--strategies 2000 --years 10 --runs 3]

A sweep judges thousands of trials' daily returns: a DataFrame with a column per trial, some
starting late (NaN before). factorlab's metrics take the whole frame and skip each column's
missing returns; empyrical, the peer whose figures they match, is given each column with its
NaNs dropped, as a user would call it. Both compute CAGR, annual volatility, Sharpe, Sortino,
maximum drawdown and Calmar; the script checks they agree, then prints the ratio of times.
"""

from __future__ import annotations

import argparse
import time

import empyrical
import numpy as np
import pandas as pd

from factorlab.backtest import metrics

FIGURES = {  # factorlab's function -> empyrical's
    "CAGR": (metrics.cagr, empyrical.cagr),
    "annual volatility": (metrics.annual_volatility, empyrical.annual_volatility),
    "Sharpe ratio": (metrics.sharpe_ratio, empyrical.sharpe_ratio),
    "Sortino ratio": (metrics.sortino_ratio, empyrical.sortino_ratio),
    "max drawdown": (metrics.max_drawdown, empyrical.max_drawdown),
    "Calmar ratio": (metrics.calmar_ratio, empyrical.calmar_ratio),
}


def trial_returns(strategies: int, years: int, seed: int = 0) -> pd.DataFrame:
    """Daily returns of ``strategies`` trials over ``years``; a tenth start up to a year late."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2015-01-01", periods=252 * years)
    values = rng.normal(0.0004, 0.012, (len(days), strategies))
    late = rng.choice(strategies, strategies // 10, replace=False)
    for column in late:
        values[: rng.integers(1, 252), column] = np.nan
    return pd.DataFrame(values, index=days, columns=[f"trial {i}" for i in range(strategies)])


def with_factorlab(returns: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({name: ours(returns) for name, (ours, _) in FIGURES.items()})


def with_empyrical(returns: pd.DataFrame) -> pd.DataFrame:
    rows = {}
    for column in returns.columns:
        r = returns[column].dropna()
        rows[column] = {name: theirs(r) for name, (_, theirs) in FIGURES.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def best_of(runs: int, work, *args) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = work(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", type=int, default=2000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    returns = trial_returns(args.strategies, args.years)
    print(f"returns: {returns.shape[1]} strategies x {returns.shape[0]} days")
    ours_s, ours = best_of(args.runs, with_factorlab, returns)
    theirs_s, theirs = best_of(max(1, args.runs // 3), with_empyrical, returns)
    worst = float(np.nanmax(np.abs(ours.to_numpy() - theirs.loc[ours.index].to_numpy())))
    print(f"largest difference from empyrical over six figures: {worst:.1e}")
    print(f"factorlab metrics, the whole frame: {ours_s:.3f} s (best of {args.runs})")
    print(f"empyrical, column by column:        {theirs_s:.2f} s")
    print(f"ratio empyrical / factorlab: {theirs_s / ours_s:.0f}x")


if __name__ == "__main__":
    main()
