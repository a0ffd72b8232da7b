"""How fast the lab market loads, and whether its memory grows in proportion to the panel.

Run: .venv/bin/python benchmarks/sample.py [--quick]

Prints, for each size, the load time, the peak memory allocated while generating (tracemalloc),
that peak as a multiple of one float64 price panel; then times the volatility recursion, written
as one vector step per day across all tickers, against pandas' ``ewm`` (the same recursion) and a
naive loop over tickers and days (run on 300 tickers and scaled up).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

import factorlab as fl
from factorlab.data.sample._market import _ar1

SIZES = [(200, 15), (1000, 10), (3000, 10)]


def _ar1_ewm(innovations: np.ndarray, phi: float, stationary_std: float) -> np.ndarray:
    """The same recursion as an exponentially weighted mean with ``alpha = 1 - phi``."""
    alpha = 1 - phi
    scaled = innovations * stationary_std * np.sqrt(1 - phi**2) / alpha
    scaled[0] = innovations[0] * stationary_std
    return pd.DataFrame(scaled).ewm(alpha=alpha, adjust=False).mean().to_numpy()


def _ar1_naive(innovations: np.ndarray, phi: float, stationary_std: float) -> np.ndarray:
    """The same recursion, one ticker and one day at a time."""
    out = np.empty_like(innovations)
    step = stationary_std * np.sqrt(1 - phi**2)
    for i in range(innovations.shape[1]):
        out[0, i] = innovations[0, i] * stationary_std
        for t in range(1, innovations.shape[0]):
            out[t, i] = phi * out[t - 1, i] + step * innovations[t, i]
    return out


def _seconds(func, *args) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the default size")
    sizes = SIZES[:1] if parser.parse_args().quick else SIZES

    print(f"{'tickers':>8} {'years':>5} {'load s':>7} {'peak MB':>8} {'x panel':>8}")
    for n_tickers, years in sizes:
        start = time.perf_counter()
        ds = fl.load_dataset("sample", n_tickers=n_tickers, years=years, seed=7)
        seconds = time.perf_counter() - start
        panel_mb = ds.prices.to_numpy().nbytes / 2**20
        del ds
        tracemalloc.start()
        fl.load_dataset("sample", n_tickers=n_tickers, years=years, seed=7)
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(
            f"{n_tickers:>8} {years:>5} {seconds:>7.2f} {peak_mb:>8.0f} {peak_mb / panel_mb:>8.1f}"
        )

    shocks = np.random.default_rng(0).standard_normal((2520, 3000))
    ours, x = _seconds(_ar1, shocks, 0.97, 0.3)
    ewm, y = _seconds(_ar1_ewm, shocks, 0.97, 0.3)
    naive_part, z = _seconds(_ar1_naive, shocks[:, :300], 0.97, 0.3)
    naive = naive_part * 10
    assert np.allclose(x, y) and np.allclose(x[:, :300], z)
    print("AR(1) volatility recursion, 2520 days x 3000 tickers:")
    print(f"  factorlab (vector step per day) {ours:8.3f} s")
    print(f"  pandas ewm                      {ewm:8.3f} s   ratio {ewm / ours:6.1f}x")
    print(f"  naive loop (300 tickers x 10)   {naive:8.3f} s   ratio {naive / ours:6.1f}x")


if __name__ == "__main__":
    main()
