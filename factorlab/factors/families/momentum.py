"""The momentum family: trailing returns (12-1 months above all), RSI and trading interest.

Windows are counted in rows of the price panel (trading days): a month is 21 rows, a year 252.
A return needs a price at both ends; nothing is forward-filled, so a suspended or delisted
stock has no return rather than a made-up 0 %.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.factors._memo import frame, prices, trailing_ratio, unpriced
from factorlab.factors.families.low_vol import rolling_means, volatility
from factorlab.factors.metric import DAYS_PER_MONTH, DAYS_PER_YEAR, Metric

__all__ = ["METRICS", "momentum_12_1", "rsi", "trailing_return", "volume_trend"]


def trailing_return(ds: Dataset, months: int) -> pd.DataFrame:
    """Return over the last ``months`` months: ``price[t] / price[t - 21 * months] - 1``."""
    return frame(ds, trailing_ratio(prices(ds), DAYS_PER_MONTH * months) - 1)


def momentum_12_1(ds: Dataset) -> pd.DataFrame:
    """The 12-1 month return, ``price[t-21] / price[t-252] - 1``, NaN unless the stock trades at t.

    A year of trend, skipping the latest month (whose short-term reversal would blur it).
    """
    p = prices(ds)
    out = np.full(p.shape, np.nan)
    if DAYS_PER_YEAR < len(p):
        then, recent = (
            p[: len(p) - DAYS_PER_YEAR],
            p[DAYS_PER_YEAR - DAYS_PER_MONTH : -DAYS_PER_MONTH],
        )
        np.divide(recent, then, out=out[DAYS_PER_YEAR:])
    out -= 1
    out[unpriced(ds)] = np.nan
    return frame(ds, out)


def rsi(ds: Dataset, window: int = 14) -> pd.DataFrame:
    """Wilder's relative strength index, 0-100.

    The first average gain and loss are the simple means of a stock's first ``window`` price
    changes; after that each is ``(previous * (window - 1) + today) / window``. Days without a
    change (no price) are skipped. 100 when there were no losses; NaN when nothing moved.
    """
    # Down the columns, in pandas' own column order: the running sums and the smoothing walk
    # each stock's days, which lie side by side there. Panels are reused in place where they
    # can be: a fresh one costs as much to map as to compute.
    p = ds.prices.to_numpy(dtype=float)
    change = np.full(p.shape, np.nan, order="F")
    np.subtract(p[1:], p[:-1], out=change[1:])
    no_change = np.isnan(change)
    seen = np.cumsum(~no_change, axis=0, dtype=np.int32)  # changes so far, per stock
    unseeded, at_seed = seen <= window, (seen == window) & ~no_change
    del seen
    avg_gain = _wilder_average(np.maximum(change, 0.0), no_change, unseeded, at_seed, window)
    np.negative(change, out=change)
    avg_loss = _wilder_average(
        np.maximum(change, 0.0, out=change), no_change, unseeded, at_seed, window
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        out = avg_gain / avg_loss
        out += 1
        np.divide(100, out, out=out)
        np.subtract(100, out, out=out)  # x/0 = inf gives 100; 0/0 gives NaN
    out[no_change] = np.nan
    return frame(ds, out)


def volume_trend(ds: Dataset, short_days: int = 20, long_days: int = 120) -> pd.DataFrame:
    """Average volume over the last ``short_days`` over that of the last ``long_days``."""
    ds.require("volume", purpose="the volume trend")
    assert ds.volume is not None  # require() raised otherwise
    [([short], _), ([long], _)] = rolling_means(
        [ds.volume.to_numpy(dtype=float)],
        [(short_days, int(0.8 * short_days)), (long_days, int(0.8 * long_days))],
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        trend = np.divide(short, long, out=short)
    trend[~(long > 0) | unpriced(ds)] = np.nan
    return frame(ds, trend)


def _wilder_average(
    values: np.ndarray, missing: np.ndarray, unseeded: np.ndarray, at_seed: np.ndarray, window: int
) -> np.ndarray:
    """Wilder's smoothing per column, seeded with the mean of its first ``window`` values.

    An exponentially weighted mean with ``alpha = 1 / window`` that starts at the seed: the
    values up to it are blanked (``unseeded``) and the seed put in place of the ``window``-th
    value (``at_seed``). ``values`` is overwritten.
    """
    seed = np.where(missing, 0.0, values)
    np.cumsum(seed, axis=0, out=seed)
    seed /= window
    values[unseeded] = np.nan
    np.copyto(values, seed, where=at_seed)
    del seed
    frame = pd.DataFrame(values, copy=False)
    return frame.ewm(alpha=1 / window, adjust=False, ignore_na=True).mean().to_numpy()


METRICS = (
    Metric(
        "momentum_12_1",
        "momentum",
        momentum_12_1,
        True,
        "percent",
        "return from 12 months to 1 month ago",
    ),
    Metric(
        "return_1m",
        "momentum",
        partial(trailing_return, months=1),
        True,
        "percent",
        "return over the last month (reported; short-term reversal, so not combined)",
        in_family=False,
    ),
    Metric(
        "return_3m",
        "momentum",
        partial(trailing_return, months=3),
        True,
        "percent",
        "return over the last 3 months",
    ),
    Metric(
        "return_6m",
        "momentum",
        partial(trailing_return, months=6),
        True,
        "percent",
        "return over the last 6 months",
    ),
    Metric(
        "return_12m",
        "momentum",
        partial(trailing_return, months=12),
        True,
        "percent",
        "return over the last 12 months",
    ),
    Metric("rsi_14", "momentum", rsi, True, "points", "Wilder's 14-day relative strength index"),
    Metric(
        "volatility_60d",
        "momentum",
        partial(volatility, days=60),
        False,
        "percent",
        "annualized 60-day volatility (reported; a risk, combined in low_vol instead)",
        in_family=False,
    ),
    Metric(
        "volume_trend",
        "momentum",
        volume_trend,
        True,
        "ratio",
        "20-day over 120-day average volume",
        parts=("volume",),
    ),
)
