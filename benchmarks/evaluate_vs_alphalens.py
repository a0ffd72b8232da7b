"""fl.evaluate against alphalens-reloaded: same factor, same prices, same periods and quantiles.

Run: .venv/bin/python benchmarks/evaluate_vs_alphalens.py [--sizes 500x2520 3000x2300]

Each library runs in its own process (so peak memory is its own): alphalens'
get_clean_factor_and_forward_returns + factor_information_coefficient +
mean_return_by_quantile, and fl.evaluate with drop_incomplete=True (alphalens' rule). Prices
have no gaps, since alphalens forward-fills them and factorlab does not. Prints both times,
the ratio, each process's peak memory above its starting point, and the largest IC difference.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

PERIODS, QUANTILES = (1, 5, 21), 5


def make_inputs(n_tickers: int, n_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2010-01-04", periods=n_days)
    tickers = [f"S{i:04d}" for i in range(n_tickers)]
    skill = rng.normal(size=(n_days, n_tickers))
    returns = 0.001 * skill + rng.normal(0, 0.02, (n_days, n_tickers))
    prices = pd.DataFrame(50 * np.cumprod(1 + returns, axis=0), index=dates, columns=tickers)
    factor = pd.DataFrame(np.roll(skill, 1, axis=0) + rng.normal(size=skill.shape),
                          index=dates, columns=tickers)  # fmt: skip
    return prices, factor


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(library: str, n_tickers: int, n_days: int, out: Path) -> None:
    prices, factor = make_inputs(n_tickers, n_days)
    baseline = _rss_mb()
    start = time.perf_counter()
    if library == "alphalens":
        import alphalens as al

        stacked = factor.stack()
        stacked.index.names = ["date", "asset"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = al.utils.get_clean_factor_and_forward_returns(
                stacked, prices, periods=PERIODS, quantiles=QUANTILES, filter_zscore=None,
                max_loss=1.0,
            )  # fmt: skip
            ic = al.performance.factor_information_coefficient(data)
            al.performance.mean_return_by_quantile(data, demeaned=True)
        ic.columns = [int(c.rstrip("D")) for c in ic.columns]
        ic.index = pd.DatetimeIndex(ic.index).tz_localize(None).as_unit("ns")
    else:
        import factorlab as fl

        ds = fl.Dataset(prices=prices)
        report = fl.evaluate(factor, ds, periods=PERIODS, quantiles=QUANTILES, drop_incomplete=True)
        ic = report.ic.dropna(how="all")
    seconds = time.perf_counter() - start
    ic.to_parquet(out.with_suffix(".parquet"))
    out.write_text(json.dumps({"seconds": seconds, "peak_mb": _rss_mb() - baseline}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["500x2520", "3000x2300"])
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        library, n, d, out = args.worker
        worker(library, int(n), int(d), Path(out))
        return
    for size in args.sizes:
        n_tickers, n_days = (int(x) for x in size.lower().split("x"))
        results, ics = {}, {}
        with tempfile.TemporaryDirectory() as tmp:
            for library in ("factorlab", "alphalens"):
                out = Path(tmp) / library
                subprocess.run([sys.executable, __file__, "--worker", library, str(n_tickers),
                                str(n_days), str(out)], check=True)  # fmt: skip
                results[library] = json.loads(out.read_text())
                ics[library] = pd.read_parquet(out.with_suffix(".parquet"))
        ours, theirs = results["factorlab"], results["alphalens"]
        common = ics["factorlab"].index.intersection(ics["alphalens"].index)
        diff = (ics["factorlab"].loc[common] - ics["alphalens"].loc[common]).abs().max().max()
        print(f"{n_tickers} tickers x {n_days} days, periods {PERIODS}, {QUANTILES} quantiles")
        print(f"  factorlab: {ours['seconds']:7.2f} s, peak memory +{ours['peak_mb']:,.0f} MB")
        print(f"  alphalens: {theirs['seconds']:7.2f} s, peak memory +{theirs['peak_mb']:,.0f} MB")
        print(f"  speed ratio {theirs['seconds'] / ours['seconds']:.1f}x, memory ratio "
              f"{theirs['peak_mb'] / max(ours['peak_mb'], 1):.1f}x, largest IC difference "
              f"{diff:.1e} over {len(common)} dates")  # fmt: skip


if __name__ == "__main__":
    main()
