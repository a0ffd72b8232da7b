"""fl.evaluate against alphalens-reloaded: same factor, same prices, same periods and quantiles.

Run: .venv/bin/python benchmarks/evaluate_vs_alphalens.py [--sizes 500x2520 3000x2300] [--repeat 3]
     [--scenarios plain grouped]

Two scenarios: alphalens' defaults (5 quantiles), and buckets formed within 11 groups at custom
edges (``binning_by_group=True``, quantiles [0, .1, .3, .7, .9, 1]).

Each library runs in its own process (so peak memory is its own): alphalens'
get_clean_factor_and_forward_returns + factor_information_coefficient +
mean_return_by_quantile, and fl.evaluate with drop_incomplete=True (alphalens' rule), once with
its default threads (one per core, up to 4) and once with threads=1, as alphalens runs on one.
Prices have no gaps, since alphalens forward-fills them and factorlab does not.

Times are the best of ``--repeat`` runs in one process (timings on a shared machine vary by up
to 2x from run to run; the median is printed too). Peak memory is the first run's high-water
mark of resident memory above what the process held once the inputs were built (on Linux the
mark is reset there; elsewhere the process's whole peak counts). Also prints the largest IC
difference between the libraries.
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
LIBRARIES = ("factorlab", "factorlab-1-thread", "alphalens")
# The options compared: alphalens' defaults, and buckets within groups at custom edges.
SCENARIOS = {
    "plain": {"quantiles": QUANTILES},
    "grouped": {"quantiles": [0, 0.1, 0.3, 0.7, 0.9, 1], "by_group": True},
}
N_GROUPS = 11


def make_inputs(n_tickers: int, n_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    dates = pd.bdate_range("2010-01-04", periods=n_days)
    tickers = [f"S{i:04d}" for i in range(n_tickers)]
    skill = rng.normal(size=(n_days, n_tickers))
    returns = 0.001 * skill + rng.normal(0, 0.02, (n_days, n_tickers))
    prices = pd.DataFrame(50 * np.cumprod(1 + returns, axis=0), index=dates, columns=tickers)
    factor = pd.DataFrame(
        np.roll(skill, 1, axis=0) + rng.normal(size=skill.shape), index=dates, columns=tickers
    )
    return prices, factor


def groups_of(tickers: pd.Index) -> dict[str, str]:
    """Each ticker's group, round robin over ``N_GROUPS`` groups."""
    return {t: f"G{i % N_GROUPS:02d}" for i, t in enumerate(tickers)}


def run_once(
    library: str, prices: pd.DataFrame, factor: pd.DataFrame, scenario: str = "plain"
) -> pd.DataFrame:
    """One evaluation; returns the daily IC (dates × periods)."""
    options = SCENARIOS[scenario]
    grouped = options.get("by_group", False)
    if library == "alphalens":
        import alphalens as al

        stacked = factor.stack()
        stacked.index.names = ["date", "asset"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = al.utils.get_clean_factor_and_forward_returns(
                stacked,
                prices,
                groupby=groups_of(prices.columns) if grouped else None,
                binning_by_group=grouped,
                periods=PERIODS,
                quantiles=options["quantiles"],
                filter_zscore=None,
                max_loss=1.0,
            )
            ic = al.performance.factor_information_coefficient(data)
            al.performance.mean_return_by_quantile(data, demeaned=True)
        ic.columns = [int(c.rstrip("D")) for c in ic.columns]
        ic.index = pd.DatetimeIndex(ic.index).tz_localize(None).as_unit("ns")
        return ic
    import factorlab as fl

    threads = 1 if library == "factorlab-1-thread" else None
    report = fl.evaluate(
        factor,
        fl.Dataset(prices=prices),
        periods=PERIODS,
        quantiles=options["quantiles"],
        groupby=groups_of(prices.columns) if grouped else None,
        by_group=grouped,
        drop_incomplete=True,
        threads=threads,
    )
    return report.ic.dropna(how="all")


def _status_mb(key: str) -> float | None:
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return None


def _reset_peak_mb() -> float:
    """Reset the resident-memory high-water mark where Linux allows it; resident memory now."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_mb("VmRSS") or 0.0
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_mb() -> float:
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(
    library: str, n_tickers: int, n_days: int, repeat: int, out: Path, scenario: str
) -> None:
    prices, factor = make_inputs(n_tickers, n_days)
    __import__("alphalens" if library == "alphalens" else "factorlab")  # not part of the timing
    baseline = _reset_peak_mb()
    seconds, peak = [], 0.0
    for i in range(repeat):
        start = time.perf_counter()
        ic = run_once(library, prices, factor, scenario)
        seconds.append(time.perf_counter() - start)
        if i == 0:
            peak = _peak_mb() - baseline
            ic.to_parquet(out.with_suffix(".parquet"))
        del ic
    out.write_text(json.dumps({"seconds": seconds, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["500x2520", "3000x2300"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        library, n, d, repeat, out, scenario = args.worker
        worker(library, int(n), int(d), int(repeat), Path(out), scenario)
        return
    for size in args.sizes:
        for scenario in args.scenarios:
            compare(size, scenario, args.repeat)


def compare(size: str, scenario: str, repeat: int) -> None:
    """Run each library on one size and scenario in its own process and print the comparison."""
    n_tickers, n_days = (int(x) for x in size.lower().split("x"))
    results, ics = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for library in LIBRARIES:
            out = Path(tmp) / library
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    library,
                    str(n_tickers),
                    str(n_days),
                    str(repeat),
                    str(out),
                    scenario,
                ],
                check=True,
            )
            results[library] = json.loads(out.read_text())
            ics[library] = pd.read_parquet(out.with_suffix(".parquet"))
    options = SCENARIOS[scenario]
    print(
        f"{n_tickers} tickers x {n_days} days, periods {PERIODS}, quantiles "
        f"{options['quantiles']}{f', buckets within {N_GROUPS} groups' if options.get('by_group') else ''}"
        f", best (median) of {repeat} runs"
    )
    for library in LIBRARIES:
        times = results[library]["seconds"]
        print(
            f"  {library:19s} {min(times):7.2f} s ({np.median(times):.2f} s), "
            f"peak memory +{results[library]['peak_mb']:,.0f} MB"
        )
    theirs = results["alphalens"]
    for library in LIBRARIES[:2]:
        ours = results[library]
        common = ics[library].index.intersection(ics["alphalens"].index)
        diff = (ics[library].loc[common] - ics["alphalens"].loc[common]).abs().max().max()
        print(
            f"  {library}: {min(theirs['seconds']) / min(ours['seconds']):.1f}x faster, "
            f"{theirs['peak_mb'] / max(ours['peak_mb'], 1):.1f}x less memory, largest IC "
            f"difference {diff:.1e} over {len(common)} dates"
        )


if __name__ == "__main__":
    main()
