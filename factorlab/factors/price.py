"""Price and volume metrics: trailing returns, RSI, volatility, beta and trading interest.

Windows are counted in rows of the price panel (trading days): a month is 21 rows, a year 252.
A return needs a price at both ends; nothing is forward-filled, so a suspended or delisted
stock has no return rather than a made-up 0 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.factors._memo import daily_returns

__all__ = [
    "DAYS_PER_MONTH",
    "DAYS_PER_YEAR",
    "beta",
    "momentum_12_1",
    "rolling_mean",
    "rsi",
    "trailing_return",
    "volatility",
    "volume_trend",
]

DAYS_PER_MONTH, DAYS_PER_YEAR = 21, 252


def trailing_return(ds: Dataset, months: int) -> pd.DataFrame:
    """Return over the last ``months`` months: ``price[t] / price[t - 21 * months] - 1``."""
    return ds.prices / ds.prices.shift(DAYS_PER_MONTH * months) - 1


def momentum_12_1(ds: Dataset) -> pd.DataFrame:
    """The 12-1 month return, ``price[t-21] / price[t-252] - 1``: a year of trend, skipping the
    latest month (whose short-term reversal would blur it); NaN unless the stock trades at t."""
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


def volatility(ds: Dataset, days: int) -> pd.DataFrame:
    """Annualized standard deviation of daily returns over ``days`` rows (at least 80 % present)."""
    returns = daily_returns(ds).to_numpy()
    minimum = int(0.8 * days)
    mean, count = rolling_mean(returns, days, minimum)
    mean_sq, _ = rolling_mean(returns**2, days, minimum)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (mean_sq - mean**2) * count / (count - 1)  # sample variance, ddof=1
    out = np.sqrt(np.clip(variance, 0, None)) * np.sqrt(DAYS_PER_YEAR)
    return pd.DataFrame(out, index=ds.prices.index, columns=ds.prices.columns, copy=False)


def volume_trend(ds: Dataset, short_days: int = 20, long_days: int = 120) -> pd.DataFrame:
    """Average volume over the last ``short_days`` over that of the last ``long_days``."""
    ds.require("volume", purpose="the volume trend")
    volume = ds.volume.to_numpy()
    short, _ = rolling_mean(volume, short_days, int(0.8 * short_days))
    long, _ = rolling_mean(volume, long_days, int(0.8 * long_days))
    with np.errstate(invalid="ignore", divide="ignore"):
        trend = np.where(long > 0, short / long, np.nan)
    out = pd.DataFrame(trend, index=ds.prices.index, columns=ds.prices.columns, copy=False)
    return out.where(ds.prices.notna())


def rolling_mean(
    values: np.ndarray, window: int, min_periods: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the non-NaN values in each trailing ``window`` of rows, and their count; NaN where
    fewer than ``min_periods``. Cumulative sums over the whole panel, no loop over columns."""
    present = ~np.isnan(values)
    total = np.cumsum(np.where(present, values, 0.0), axis=0)
    count = np.cumsum(present, axis=0)
    total[window:] = total[window:] - total[:-window]
    count[window:] = count[window:] - count[:-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count >= max(min_periods, 1), total / count, np.nan)
    return mean, count


def _wilder_average(values: pd.DataFrame, window: int) -> pd.DataFrame:
    """Wilder's smoothing per column, seeded with the mean of its first ``window`` values.

    An exponentially weighted mean with ``alpha = 1 / window`` that starts at the seed: the
    values before it are blanked and the seed put in place of the ``window``-th value.
    """
    seen = values.notna().cumsum()
    seed = values.fillna(0.0).cumsum() / window
    start = seen.eq(window) & values.notna()
    primed = values.where(seen > window).mask(start, seed)
    return primed.ewm(alpha=1 / window, adjust=False, ignore_na=True).mean()


def beta(ds: Dataset, days: int = DAYS_PER_YEAR) -> pd.DataFrame:
    """Slope of a stock's daily returns on the benchmark's over ``days`` rows (80 % present)."""
    ds.require("benchmark", purpose="beta")
    market = ds.benchmark.pct_change(fill_method=None).to_numpy()[:, None]
    # Pair the two series: only days on which both have a return enter any moment.
    returns = np.where(np.isnan(market), np.nan, daily_returns(ds).to_numpy())
    paired = np.where(np.isnan(returns), np.nan, market)
    minimum = int(0.8 * days)
    mean_rm, _ = rolling_mean(returns * paired, days, minimum)
    mean_r, _ = rolling_mean(returns, days, minimum)
    mean_m, _ = rolling_mean(paired, days, minimum)
    mean_mm, _ = rolling_mean(paired**2, days, minimum)
    variance = mean_mm - mean_m**2
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(variance > 0, (mean_rm - mean_r * mean_m) / variance, np.nan)
    return pd.DataFrame(slope, index=ds.prices.index, columns=ds.prices.columns, copy=False)
