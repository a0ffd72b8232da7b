"""The low-volatility family: calm stocks, measured by their volatility and beta.

Windows are counted in rows of the price panel (trading days); a return needs a price at both
ends, so a suspended or delisted stock has no return rather than a made-up 0 %.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from factorlab.data import Dataset
from factorlab.factors._memo import daily_returns
from factorlab.factors.metric import DAYS_PER_YEAR, Metric

__all__ = ["METRICS", "beta", "rolling_mean", "volatility"]


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


def beta(ds: Dataset, days: int = DAYS_PER_YEAR) -> pd.DataFrame:
    """Slope of a stock's daily returns on the benchmark's over ``days`` rows (80 % present)."""
    ds.require("benchmark", purpose="beta")
    assert ds.benchmark is not None  # require() raised otherwise
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


def rolling_mean(
    values: np.ndarray, window: int, min_periods: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the non-NaN values in each trailing ``window`` of rows, and their count.

    The mean is NaN where there are fewer than ``min_periods``. Computed with cumulative sums
    over the whole panel, no loop over columns.
    """
    present = ~np.isnan(values)
    total = np.cumsum(np.where(present, values, 0.0), axis=0)
    count = np.cumsum(present, axis=0)
    total[window:] = total[window:] - total[:-window]
    count[window:] = count[window:] - count[:-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count >= max(min_periods, 1), total / count, np.nan)
    return mean, count


METRICS = (
    Metric(
        "volatility_252d",
        "low_vol",
        partial(volatility, days=252),
        False,
        "percent",
        "annualized 1-year volatility of daily returns",
    ),
    Metric(
        "beta",
        "low_vol",
        beta,
        False,
        "ratio",
        "1-year beta of daily returns to the benchmark",
        parts=("benchmark",),
    ),
)
