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
from factorlab.factors.families.low_vol import rolling_mean, volatility
from factorlab.factors.metric import DAYS_PER_MONTH, DAYS_PER_YEAR, Metric

__all__ = ["METRICS", "momentum_12_1", "rsi", "trailing_return", "volume_trend"]


def trailing_return(ds: Dataset, months: int) -> pd.DataFrame:
    """Return over the last ``months`` months: ``price[t] / price[t - 21 * months] - 1``."""
    return ds.prices / ds.prices.shift(DAYS_PER_MONTH * months) - 1


def momentum_12_1(ds: Dataset) -> pd.DataFrame:
    """The 12-1 month return, ``price[t-21] / price[t-252] - 1``, NaN unless the stock trades at t.

    A year of trend, skipping the latest month (whose short-term reversal would blur it).
    """
    p = ds.prices
    return (p.shift(DAYS_PER_MONTH) / p.shift(DAYS_PER_YEAR) - 1).where(p.notna())


def rsi(ds: Dataset, window: int = 14) -> pd.DataFrame:
    """Wilder's relative strength index, 0-100.

    The first average gain and loss are the simple means of a stock's first ``window`` price
    changes; after that each is ``(previous * (window - 1) + today) / window``. Days without a
    change (no price) are skipped. 100 when there were no losses; NaN when nothing moved.
    """
    change = ds.prices.diff()
    avg_gain = _wilder_average(change.clip(lower=0), window)
    avg_loss = _wilder_average((-change).clip(lower=0), window)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100 - 100 / (1 + avg_gain / avg_loss)  # x/0 = inf gives 100; 0/0 gives NaN
    return out.where(change.notna())


def volume_trend(ds: Dataset, short_days: int = 20, long_days: int = 120) -> pd.DataFrame:
    """Average volume over the last ``short_days`` over that of the last ``long_days``."""
    ds.require("volume", purpose="the volume trend")
    assert ds.volume is not None  # require() raised otherwise
    volume = ds.volume.to_numpy()
    short, _ = rolling_mean(volume, short_days, int(0.8 * short_days))
    long, _ = rolling_mean(volume, long_days, int(0.8 * long_days))
    with np.errstate(invalid="ignore", divide="ignore"):
        trend = np.where(long > 0, short / long, np.nan)
    out = pd.DataFrame(trend, index=ds.prices.index, columns=ds.prices.columns, copy=False)
    return out.where(ds.prices.notna())


def _wilder_average(values: pd.DataFrame, window: int) -> pd.DataFrame:
    """Wilder's smoothing per column, seeded with the mean of its first ``window`` values.

    An exponentially weighted mean with ``alpha = 1 / window`` that starts at the seed: the
    values before it are blanked and the seed put in place of the ``window``-th value.
    """
    raw = values.to_numpy(dtype=float)
    known = ~np.isnan(raw)
    seen = np.cumsum(known, axis=0)  # numpy's cumsum down the rows: pandas' is many times slower
    seed = np.cumsum(np.where(known, raw, 0.0), axis=0) / window
    primed = np.where(seen > window, raw, np.nan)
    primed = np.where((seen == window) & known, seed, primed)
    frame = pd.DataFrame(primed, index=values.index, columns=values.columns, copy=False)
    return frame.ewm(alpha=1 / window, adjust=False, ignore_na=True).mean()


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
