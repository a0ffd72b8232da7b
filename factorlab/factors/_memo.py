"""Arrays that several metrics share (prices, daily returns, market cap), made once per Dataset.

Prices are kept in row order (C order: one date's tickers side by side), the order a
cross-sectional standardization reads; a pandas frame keeps each column together instead
(which suits running sums down the days), and turning one into the other costs as much as a
metric's arithmetic, so it is done once here.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

import numpy as np
import pandas as pd

from factorlab.data import Dataset

_ARRAYS: weakref.WeakKeyDictionary[Dataset, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()
_LOCK = threading.RLock()  # metrics computed on threads build each shared array once


def shared(ds: Dataset, key: str, compute: Callable[[Dataset], np.ndarray]) -> np.ndarray:
    """``compute(ds)``, remembered for as long as ``ds`` lives, read-only."""
    with _LOCK:
        arrays = _ARRAYS.setdefault(ds, {})
        if key not in arrays:
            array = compute(ds)
            array.flags.writeable = False  # callers share it: a write would corrupt the others
            arrays[key] = array
        return arrays[key]


def prices(ds: Dataset) -> np.ndarray:
    """``ds.prices`` as a float array in row order (dates × tickers)."""
    return shared(ds, "prices", lambda d: np.array(d.prices.to_numpy(dtype=float), order="C"))


def unpriced(ds: Dataset) -> np.ndarray:
    """Where a stock has no price (not listed yet, delisted, or a gap): a boolean array."""
    return shared(ds, "unpriced", lambda d: np.isnan(prices(d)))


def daily_returns(ds: Dataset) -> np.ndarray:
    """Simple daily returns; NaN where either day has no price (never a made-up 0 %).

    The same numbers as ``ds.prices.pct_change(fill_method=None)``, kept in pandas' column
    order: they feed running sums down each stock's days.
    """
    return shared(
        ds, "daily_returns", lambda d: trailing_ratio(d.prices.to_numpy(dtype=float), 1) - 1
    )


def trailing_ratio(values: np.ndarray, rows: int) -> np.ndarray:
    """``values[t] / values[t - rows]`` (NaN for the first ``rows`` rows), as ``x / x.shift(rows)``."""
    out = np.full(values.shape, np.nan, order="F" if values.flags.f_contiguous else "C")
    if rows < len(values):
        np.divide(values[rows:], values[: len(values) - rows], out=out[rows:])
    return out


def frame(ds: Dataset, values: np.ndarray) -> pd.DataFrame:
    """``values`` (dates × tickers) as a frame on the dataset's dates and tickers, not copied."""
    return pd.DataFrame(values, index=ds.prices.index, columns=ds.prices.columns, copy=False)
